import { adminRoutes } from './admin';

// Admin routes only: the plugin has no content-API routes.
export default { admin: { type: 'admin', routes: adminRoutes } };
