/** The admin API (under /altbridge): every route needs a logged-in admin holding the route's action. */
import { ACTIONS } from '../permissions';

const guard = (action: string) => ({
  policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: [action] } }],
});

const route = (method: string, path: string, handler: string, action: string) => ({ method, path, handler, config: guard(action) });

export const adminRoutes = [
  route('GET', '/captions', 'captions.find', ACTIONS.read),
  route('GET', '/captions/:id', 'captions.findOne', ACTIONS.read),
  route('PUT', '/captions/:id', 'captions.update', ACTIONS.edit),
  route('POST', '/captions/:id/approve', 'captions.approve', ACTIONS.edit),
  route('POST', '/captions/:id/reject', 'captions.reject', ACTIONS.edit),
  route('POST', '/captions/:id/regenerate', 'captions.regenerate', ACTIONS.edit),
  route('POST', '/captions/bulk-approve', 'captions.bulkApprove', ACTIONS.edit),
  route('GET', '/settings', 'settings.get', ACTIONS.settings),
  route('PUT', '/settings', 'settings.set', ACTIONS.settings),
  route('GET', '/bundles', 'settings.bundles', ACTIONS.settings),
  route('GET', '/jobs/failed', 'jobs.failed', ACTIONS.read),
  route('POST', '/jobs/:id/retry', 'jobs.retry', ACTIONS.edit),
];
