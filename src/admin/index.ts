export { buildAdminServer } from './admin-server.js';
export type { AdminServerOptions, ReadinessReport } from './admin-server.js';
export { createMetrics, typeLabel } from './metrics.js';
export type { GatewayMetrics } from './metrics.js';
export { certificateFiles, configuredCertificates, daysToExpiry, readCertificate } from './certificates.js';
export type { ConfiguredCertificate } from './certificates.js';
