import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { NodeContext } from '../node/context.js';
import type { DeliveryQueues } from '../queue/index.js';

/** Options of the admin port. */
export interface AdminServerOptions {
  readonly ctx: NodeContext;
  readonly queues: DeliveryQueues;
  readonly redis: Redis;
  readonly logger: FastifyBaseLogger;
}

/**
 * The admin port: plain HTTP, bound to loopback by default, for health checks and metrics.
 * Readiness means: Redis answers and the exchange log can be written — a node that cannot
 * record an exchange must not take one.
 */
export function buildAdminServer(opts: AdminServerOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: opts.logger, logController: new LogController({ disableRequestLogging: true }) });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, boolean> = {};
    checks.redis = await opts.redis.ping().then((r) => r === 'PONG', () => false);
    checks.exchangeLog = opts.ctx.exchangeLog.healthy;
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });
  app.get('/metrics', async (_req, reply) => {
    const lines: string[] = [];
    lines.push('# HELP tongban_queue_jobs Jobs in delivery queues by state.', '# TYPE tongban_queue_jobs gauge');
    const counts = await opts.queues.counts();
    for (const [queue, states] of Object.entries(counts)) {
      for (const [state, n] of Object.entries(states)) lines.push(`tongban_queue_jobs{queue="${queue}",state="${state}"} ${n}`);
    }
    lines.push('# HELP tongban_exchange_log_healthy 1 when the exchange log is writable.', '# TYPE tongban_exchange_log_healthy gauge');
    lines.push(`tongban_exchange_log_healthy ${opts.ctx.exchangeLog.healthy ? 1 : 0}`);
    return reply.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
  });
  return app;
}
