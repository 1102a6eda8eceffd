import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.js';

/** TLS material of a server port. */
export interface ServerTls {
  readonly ca: readonly string[];
  readonly cert: string;
  readonly key: string;
}

// Fastify's own errors that a caller can cause, mapped to our stable codes.
const FASTIFY_CODES: Record<string, ConstructorParameters<typeof GatewayError>[0]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'GW_ERR_API_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'GW_ERR_API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'GW_ERR_API_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'GW_ERR_API_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'GW_ERR_API_MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_TYPE: 'GW_ERR_API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'GW_ERR_API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CHARSET: 'GW_ERR_API_UNSUPPORTED_CHARSET',
};

/**
 * ioredis errors that mean "Redis is not there right now" (the store client fails fast instead
 * of queueing commands): the caller should come back later, nothing was accepted.
 */
function isStoreUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string } | undefined;
  if (!e) return false;
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    e.code === 'ECONNREFUSED' ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue/.test(e.message ?? '')
  );
}

/** Map anything thrown in a handler to a GatewayError (unknown errors become GW_ERR_INTERNAL). */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as FastifyError | undefined)?.code;
  if (code && FASTIFY_CODES[code]) return new GatewayError(FASTIFY_CODES[code]);
  if (isStoreUnavailable(err)) return new GatewayError('GW_ERR_STORE_UNAVAILABLE', undefined, [], { cause: err });
  if ((err as FastifyError | undefined)?.statusCode === 408) return new GatewayError('GW_ERR_API_TIMEOUT');
  return new GatewayError('GW_ERR_INTERNAL', undefined, [], { cause: err });
}

/**
 * A Fastify instance over HTTPS that requests client certificates, takes bodies as raw bytes
 * (our parsers decide charset and format), and answers every error in the one body shape with
 * full detail going only to the log.
 */
export function createHttpsServer(opts: {
  tls: ServerTls;
  logger: FastifyBaseLogger;
  bodyLimit: number;
  requestTimeoutMs: number;
  /** Content types accepted as raw bodies; others get 415. */
  contentTypes: readonly string[];
}): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit,
    requestTimeout: opts.requestTimeoutMs,
    logController: new LogController({ disableRequestLogging: true }),
    https: {
      ca: [...opts.tls.ca],
      cert: opts.tls.cert,
      key: opts.tls.key,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...opts.contentTypes], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const gw = toGatewayError(err);
    const level = gw.status >= 500 ? 'error' : 'info';
    req.log[level]({ err, code: gw.code, reqId: req.id, client: req.clientLabel }, 'request refused');
    // Transient refusals tell the caller when to come back.
    if ((gw.status === 503 || gw.status === 429) && !reply.hasHeader('retry-after')) void reply.header('retry-after', '5');
    void reply.code(gw.status).send(gw.toBody());
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send(new GatewayError('GW_ERR_API_NOT_FOUND').toBody());
  });
  app.decorateRequest('clientLabel', '');
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called, for logs: a system id or a peer member. */
    clientLabel: string;
  }
}
