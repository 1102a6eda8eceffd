export { openEnvelope, parseWireEnvelope, sealEnvelope } from './envelope.js';
export type { WireEnvelope } from './envelope.js';
export { createMtlsClient } from './mtls-client.js';
export type { HttpAnswer, MtlsClient, MtlsClientOptions } from './mtls-client.js';
export { buildPeerServer } from './peer-server.js';
export type { PeerServerOptions } from './peer-server.js';
