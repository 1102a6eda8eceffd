import type { FastifyInstance } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { clientCertificate, createHttpsServer, type ServerTls } from '../api/index.js';
import { GatewayError } from '../errors.js';
import { parseWireEnvelope, type WireEnvelope } from './envelope.js';

/** Options of the peer port. */
export interface PeerServerOptions<P> {
  readonly tls: ServerTls;
  readonly logger: Logger;
  readonly bodyLimit: number;
  readonly requestTimeoutMs: number;
  /** Pinned peers by TLS certificate fingerprint. */
  readonly peersByTlsFingerprint: ReadonlyMap<string, P>;
  readonly label: (peer: P) => string;
  /** Take an envelope; resolves to the signed delivery receipt. */
  readonly receive: (peer: P, env: WireEnvelope) => Promise<unknown>;
  /** Refuses revoked or expired peer certificates with a coded error. */
  readonly certificateStatus?: (der: Buffer) => void;
}

/**
 * The peer port (gateways, mTLS): only pinned peer certificates get in, whatever CA issued them,
 * because a certificate valid for one member must not let it speak for another.
 */
export function buildPeerServer<P>(opts: PeerServerOptions<P>): FastifyInstance {
  const app = createHttpsServer({
    tls: opts.tls,
    logger: opts.logger,
    bodyLimit: opts.bodyLimit,
    requestTimeoutMs: opts.requestTimeoutMs,
    contentTypes: ['application/json'],
  });
  const identify = (socket: TLSSocket): P => {
    const cert = clientCertificate(socket, opts.certificateStatus);
    const peer = opts.peersByTlsFingerprint.get(cert.fingerprint);
    if (!peer) throw new GatewayError('GW_ERR_PEER_UNKNOWN', `certificate "${cert.subject}" is not a pinned peer`);
    return peer;
  };
  app.addHook('onRequest', async (req) => {
    req.clientLabel = opts.label(identify(req.raw.socket as TLSSocket));
  });
  app.post('/v1/peer/packets', async (req) => {
    const peer = identify(req.raw.socket as TLSSocket);
    let raw: unknown;
    try {
      raw = JSON.parse((req.body as Buffer).toString('utf8'));
    } catch {
      throw new GatewayError('GW_ERR_PEER_ENVELOPE_INVALID', 'envelope is not JSON');
    }
    const receipt = await opts.receive(peer, parseWireEnvelope(raw));
    return { receipt };
  });
  return app;
}
