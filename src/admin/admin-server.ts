import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { GatewayMetrics } from './metrics.js';

/** What `/readyz` answers. */
export interface ReadinessReport {
  readonly ready: boolean;
  /** Each must hold for the node to take traffic. */
  readonly checks: Readonly<Record<string, boolean>>;
  /** Facts that do not decide readiness (peers reachable, certificates expiring, last reload). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** Options of the admin port. */
export interface AdminServerOptions {
  readonly metrics: GatewayMetrics;
  readonly readiness: () => Promise<ReadinessReport>;
  readonly logger: FastifyBaseLogger;
}

/**
 * The admin port: plain HTTP, bound to loopback by default, for health checks and metrics.
 * `/healthz` says the process answers; `/readyz` says the node can take an exchange (Redis
 * reachable, config valid, own certificates valid, exchange log writable) — a node that cannot
 * record an exchange must not take one; `/metrics` is the Prometheus text format.
 */
export function buildAdminServer(opts: AdminServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const r = await opts.readiness();
    return reply
      .code(r.ready ? 200 : 503)
      .send({ status: r.ready ? 'ready' : 'not-ready', checks: r.checks, details: r.details });
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await opts.metrics.render();
    return reply.type(opts.metrics.registry.contentType).send(text);
  });
  return app;
}
