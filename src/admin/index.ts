export { buildAdminServer } from './admin-server.js';
export type { AdminServerOptions } from './admin-server.js';
