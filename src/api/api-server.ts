import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { SystemConfig } from '../config/index.js';
import { GatewayError } from '../errors.js';
import { parseBody, type Packet, type PacketValidator } from '../packets/index.js';
import { clientCertificate } from './client-identity.js';
import { createHttpsServer, toGatewayError, type ServerTls } from './https-server.js';

/** The fingerprint of the caller's certificate, or '' (never throws: used while handling errors). */
function safeFingerprint(req: FastifyRequest): string {
  try {
    return clientCertificate(req.raw.socket as TLSSocket).fingerprint;
  } catch {
    return '';
  }
}

/** What the API port calls into; implemented by the node. */
export interface ApiService {
  accept(system: SystemConfig, packet: Packet): Promise<{ id: string; caseId: string; status: string; receipt: unknown; duplicate: boolean }>;
  packetStatus(system: SystemConfig, id: string): Promise<Record<string, unknown>>;
  inbox(system: SystemConfig, limit: number): Promise<Array<Record<string, unknown>>>;
  ack(system: SystemConfig, id: string): Promise<Record<string, unknown>>;
  /** Record a refused request in the exchange log (who, what, which code). */
  rejected(entry: { system?: SystemConfig; code: string; route: string; packetId?: string; type?: string }): Promise<void>;
  /** Optional routes added by other domains (cases, birth-certificate checks). */
  extraRoutes?(app: FastifyInstance, identify: (req: FastifyRequest) => SystemConfig): void;
}

/** Options of the API port. */
export interface ApiServerOptions {
  readonly tls: ServerTls;
  readonly logger: Logger;
  readonly bodyLimit: number;
  readonly requestTimeoutMs: number;
  readonly inboxPage: number;
  readonly systemsByFingerprint: ReadonlyMap<string, SystemConfig>;
  readonly validator: PacketValidator;
  readonly service: ApiService;
  /** Per-system request budget (token bucket); refusals answer 429 with Retry-After. */
  readonly rateLimit?: (system: SystemConfig) => Promise<{ ok: boolean; retryAfterMs: number }>;
  /** Most attachments per packet (read per request, so a config reload applies). */
  readonly maxAttachments?: () => number;
  /** Refuses revoked or expired client certificates with a coded error (see `RevocationChecker`). */
  readonly certificateStatus?: (der: Buffer) => void;
}

const PACKET_TYPE = /"type"\s*:\s*"([a-z.-]{1,40})"|<type>([a-z.-]{1,40})<\/type>/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The API port for local systems (mTLS): the client certificate decides which system is calling
 * and what it may do. Built, not listening: the caller listens.
 */
export function buildApiServer(opts: ApiServerOptions): FastifyInstance {
  const app = createHttpsServer({
    tls: opts.tls,
    logger: opts.logger,
    bodyLimit: opts.bodyLimit,
    requestTimeoutMs: opts.requestTimeoutMs,
    contentTypes: ['application/json', 'application/xml', 'text/xml'],
  });

  const identify = (req: FastifyRequest): SystemConfig => {
    const cert = clientCertificate(req.raw.socket as TLSSocket, opts.certificateStatus);
    const system = opts.systemsByFingerprint.get(cert.fingerprint);
    if (!system) throw new GatewayError('GW_ERR_AUTH_UNKNOWN_SYSTEM', `certificate "${cert.subject}" is not registered to a local system`);
    req.clientLabel = `system:${system.id}`;
    return system;
  };
  // Identity first, even before the body is read: an unknown caller learns nothing else.
  app.addHook('onRequest', async (req, reply) => {
    const system = identify(req);
    if (!opts.rateLimit) return;
    const r = await opts.rateLimit(system);
    if (!r.ok) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(r.retryAfterMs / 1000))));
      throw new GatewayError('GW_ERR_API_RATE_LIMITED', `system ${system.id} is over its request rate; retry after ${Math.ceil(r.retryAfterMs)} ms`);
    }
  });

  // Every refusal on this port goes to the exchange log with its code: auditors must see
  // attempts, not only successes.
  app.addHook('onError', async (req, _reply, error) => {
    const gw = toGatewayError(error);
    const system = opts.systemsByFingerprint.get(safeFingerprint(req));
    const body = req.body;
    let packetId: string | undefined;
    let type: string | undefined;
    if (Buffer.isBuffer(body) && body.length < 1_000_000) {
      const text = body.toString('latin1');
      packetId = /"id"\s*:\s*"([0-9a-f-]{36})"|<id>([0-9a-f-]{36})<\/id>/i.exec(text)?.slice(1).find(Boolean);
      type = PACKET_TYPE.exec(text)?.slice(1).find(Boolean);
    }
    await opts.service.rejected({ system, code: gw.code, route: `${req.method} ${req.routeOptions.url ?? req.url}`, packetId, type }).catch(() => undefined);
  });

  app.post('/v1/packets', async (req, reply) => {
    const system = identify(req);
    const body = req.body;
    if (!Buffer.isBuffer(body)) throw new GatewayError('GW_ERR_API_UNSUPPORTED_MEDIA_TYPE');
    const raw = parseBody(body, req.headers['content-type']);
    // Counted before schema validation: cheaper, and the caller learns the configured limit.
    const max = opts.maxAttachments?.();
    const attachments = (raw as { attachments?: unknown } | null)?.attachments;
    if (max !== undefined && Array.isArray(attachments) && attachments.length > max) {
      throw new GatewayError('GW_ERR_API_TOO_MANY_ATTACHMENTS', `${attachments.length} attachments; at most ${max} are accepted`);
    }
    const packet = opts.validator.validate(raw);
    const answer = await opts.service.accept(system, packet);
    return reply.code(202).send({ id: answer.id, caseId: answer.caseId, status: answer.status, receipt: answer.receipt, duplicate: answer.duplicate });
  });

  app.get<{ Params: { id: string } }>('/v1/packets/:id', async (req) => {
    const system = identify(req);
    if (!UUID.test(req.params.id)) throw new GatewayError('GW_ERR_API_NOT_FOUND');
    return opts.service.packetStatus(system, req.params.id);
  });

  app.get<{ Querystring: { limit?: string } }>('/v1/inbox', async (req) => {
    const system = identify(req);
    const limit = Math.min(Math.max(Number(req.query.limit ?? opts.inboxPage) || opts.inboxPage, 1), opts.inboxPage);
    return { items: await opts.service.inbox(system, limit) };
  });

  app.post<{ Params: { id: string } }>('/v1/inbox/:id/ack', async (req) => {
    const system = identify(req);
    if (!UUID.test(req.params.id)) throw new GatewayError('GW_ERR_API_NOT_FOUND');
    return opts.service.ack(system, req.params.id);
  });

  opts.service.extraRoutes?.(app, identify);
  return app;
}
