/** The admin API (under /altbridge): every route needs a logged-in admin holding the route's action. */
import { ACTIONS } from '../contracts';

const guard = (action: string) => ({
  policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: [action] } }],
});

/** The corpus upload, parsed before Strapi's body middleware with its own limits (controllers/corpora.ts). */
export const CORPUS_UPLOAD_PATH = '/finetune/corpus';

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
  route('GET', '/limits', 'settings.limits', ACTIONS.read),
  route('GET', '/bundles', 'bundles.usable', ACTIONS.settings),
  route('POST', '/settings/preview', 'preview.run', ACTIONS.settings),
  route('GET', '/jobs/failed', 'jobs.failed', ACTIONS.read),
  route('GET', '/workers', 'workers.status', ACTIONS.read),
  route('POST', '/jobs/:id/retry', 'jobs.retry', ACTIONS.edit),
  route('GET', '/backfill', 'backfill.status', ACTIONS.read),
  route('POST', '/backfill', 'backfill.start', ACTIONS.edit),
  route('POST', '/backfill/pause', 'backfill.pause', ACTIONS.edit),
  route('POST', '/backfill/resume', 'backfill.resume', ACTIONS.edit),
  route('POST', '/backfill/cancel', 'backfill.cancel', ACTIONS.edit),
  route('GET', '/audit', 'audit.report', ACTIONS.read),
  route('GET', '/audit/export', 'audit.export', ACTIONS.read),
  route('PUT', '/decorative/:fileId', 'decorative.mark', ACTIONS.edit),
  route('DELETE', '/decorative/:fileId', 'decorative.unmark', ACTIONS.edit),
  route('POST', CORPUS_UPLOAD_PATH, 'corpora.upload', ACTIONS.finetune),
  route('GET', CORPUS_UPLOAD_PATH, 'corpora.list', ACTIONS.finetune),
  route('POST', '/finetune', 'finetune.start', ACTIONS.finetune),
  route('GET', '/finetune', 'finetune.status', ACTIONS.finetune),
  route('POST', '/finetune/cancel', 'finetune.cancel', ACTIONS.finetune),
  route('POST', '/finetune/activate', 'finetune.activate', ACTIONS.settings),
  route('GET', '/bundles/versions', 'bundles.versions', ACTIONS.finetune),
  route('POST', '/bundles/activate', 'bundles.activate', ACTIONS.settings),
  route('GET', '/doctor', 'doctor.report', ACTIONS.settings),
];
