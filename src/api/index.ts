export { buildApiServer } from './api-server.js';
export type { ApiServerOptions, ApiService } from './api-server.js';
export { clientCertificate } from './client-identity.js';
export type { ClientCertificate } from './client-identity.js';
export { createHttpsServer, toGatewayError } from './https-server.js';
export type { ServerTls } from './https-server.js';
