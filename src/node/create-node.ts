import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { buildAdminServer, createMetrics } from '../admin/index.js';
import { buildApiServer } from '../api/index.js';
import { loadOrCreateNodeSecret, openExchangeLog, startRetentionSweep, type ExchangeLog, type RetentionSweep } from '../audit/index.js';
import { createCaseService, createWorkingCalendar } from '../cases/index.js';
import type { GatewayConfig } from '../config/index.js';
import { createSuiteRegistry, type SuiteRegistry } from '../crypto/index.js';
import { createPacketValidator } from '../packets/index.js';
import { buildPeerServer } from '../peer/index.js';
import { connectRedis, DeliveryQueues, PacketStore, resolveRedis, waitReady, type RedisTarget } from '../queue/index.js';
import { createApiService } from './api-service.js';
import { dispatch } from './accept-packet.js';
import type { NodeContext } from './context.js';
import { queryPeersForCertificate } from './certificate-query.js';
import { createDeliveryHandlers } from './delivery.js';
import { LiveConfig, liveMap } from './live-config.js';
import { loadNodeMaterial } from './material.js';
import { createOperations } from './operations.js';
import { reloadConfig, type ReloadResult } from './reload.js';
import { completeInbound, receiveEnvelope } from './receive-envelope.js';

/** Things a node can be given instead of making them (tests, the demo, several nodes in one process). */
export interface NodeDeps {
  /** Redis URL; default: config, REDIS_URL, local 6379, or a private redis-server (DESIGN §7). */
  readonly redisUrl?: string;
  readonly logger?: Logger;
  readonly suites?: SuiteRegistry;
}

/** A built gateway node: servers assembled, queues and workers ready, not yet listening. */
export interface GatewayNode {
  readonly config: GatewayConfig;
  readonly ctx: NodeContext;
  readonly api: FastifyInstance;
  readonly peer: FastifyInstance;
  readonly admin?: FastifyInstance;
  readonly redis: Redis;
  /** Listen on the configured ports; returns the base URLs (port 0 resolved). */
  listen(): Promise<{ api: string; peer: string; admin?: string }>;
  /** Stop accepting, finish active deliveries, checkpoint the log, close Redis. */
  close(): Promise<void>;
  /** Re-read the config file (SIGHUP, `tongban reload`); an invalid one leaves the node as it was. */
  reload(actor?: string): Promise<ReloadResult>;
}

/** Build a node from a validated config. */
export async function createNode(config: GatewayConfig, deps: NodeDeps = {}): Promise<GatewayNode> {
  const logger = deps.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info', base: { member: config.node.member, instance: config.node.instanceId } });
  const material = loadNodeMaterial(config);
  // Config, material and router are read through `live`, so that a reload swaps them at once.
  const live = new LiveConfig(config, material);
  const metrics = createMetrics();
  // Built before any connection is opened: a bad calendar year in config fails fast.
  const calendar = createWorkingCalendar({ extraYears: Object.fromEntries(Object.entries(config.calendar.extraYears).map(([y, c]) => [Number(y), c])) });
  const suite = deps.suites ?? createSuiteRegistry();
  let target: RedisTarget | undefined;
  let redisUrl = deps.redisUrl;
  if (!redisUrl) {
    target = await resolveRedis(config.redis.url, config.node.dataDir);
    redisUrl = target.url;
    logger.info({ redis: target.origin }, 'redis resolved');
  }
  const redis = connectRedis(redisUrl, { name: `tongban-${config.node.member}` });
  const workerRedis = connectRedis(redisUrl, { forWorker: true, name: `tongban-${config.node.member}-q` });
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  workerRedis.on('error', () => undefined); // reported through the store client and /readyz
  await waitReady(redis);
  const store = new PacketStore(redis, config.redis.prefix);
  const queues = new DeliveryQueues(workerRedis, `${config.redis.prefix}:bull`, () => live.config.retry);

  const defaultSuite = config.crypto.defaultSuite;
  const checkpointSigner = material.suites[defaultSuite]!.signing;
  const exchangeLog: ExchangeLog = await openExchangeLog({
    dir: config.audit.dir,
    member: config.node.member,
    instanceId: config.node.instanceId,
    hash: defaultSuite === 'sm' ? 'sm3' : 'sha256',
    secret: loadOrCreateNodeSecret(config.audit.secretFile),
    checkpoint: {
      // Checkpoints carry a CMS SignedData over the checkpoint bytes, so `audit verify` checks
      // them with the same suite code as packets.
      signer: (data: Buffer) => suite(defaultSuite).sign(data, checkpointSigner),
      certDer: checkpointSigner.certDer,
      suite: defaultSuite,
      everyEntries: config.audit.checkpointEvery,
      everyMs: config.audit.checkpointMs,
    },
  });

  const cases = createCaseService({
    redis,
    prefix: config.redis.prefix,
    member: config.node.member,
    agreements: config.agreements,
    calendar,
    exchangeLog,
    logger: logger.child({ domain: 'cases' }),
    overdueCheckMs: config.cases.overdueCheckMs,
    // Declared below; only called once the node serves requests.
    queryPeers: (no) => queryPeersForCertificate(ctx, no),
    // /metrics shows how many open cases are past each deadline.
    onOverdueCounts: (counts) => {
      for (const [kind, n] of Object.entries(counts)) metrics.overdueCases.set({ kind }, n);
    },
  });

  const ctx: NodeContext = {
    cases,
    get config() {
      return live.config;
    },
    get material() {
      return live.material;
    },
    suite,
    store,
    validator: createPacketValidator(),
    get router() {
      return live.router;
    },
    metrics,
    exchangeLog,
    logger,
    dispatcher: {
      toPeer: (member, id) => queues.add(DeliveryQueues.peerQueueName(member), id),
      toSystem: (systemId, id) => queues.add(DeliveryQueues.systemQueueName(systemId), id),
    },
  };

  const ops = await createOperations({ live, queues, redis, metrics, exchangeLog, logger, probePeer: (m) => handlers.probePeer(m) });
  const certificateStatus = (der: Buffer): void => ops.revocation.check(der);

  const bodyLimit = config.limits.bodyBytes;
  const requestTimeoutMs = config.limits.requestTimeoutMs;
  const api = buildApiServer({
    tls: material.tls,
    logger: logger.child({ port: 'api' }),
    bodyLimit,
    requestTimeoutMs,
    inboxPage: config.limits.inboxPage,
    systemsByFingerprint: liveMap(() => live.material.systemsByFingerprint),
    validator: ctx.validator,
    service: ops.instrumentApi(createApiService(ctx)),
    rateLimit: (s) => ops.rateLimiter.take(s.id),
    maxAttachments: () => live.config.limits.attachments,
    certificateStatus,
  });
  ops.instrumentApiServer(api);
  const peer = buildPeerServer({
    tls: material.tls,
    logger: logger.child({ port: 'peer' }),
    // An envelope is the packet plus base64 and CMS overhead: allow for it.
    bodyLimit: Math.ceil(bodyLimit * 1.5) + 65536,
    requestTimeoutMs,
    peersByTlsFingerprint: liveMap(() => live.material.peersByTlsFingerprint),
    label: (p) => `peer:${p.config.member}`,
    receive: ops.instrumentReceive((p, env) => receiveEnvelope(ctx, p, env)),
    certificateStatus,
  });
  const admin = config.listen.admin
    ? buildAdminServer({ metrics, readiness: () => ops.readiness(), logger: logger.child({ port: 'admin' }) })
    : undefined;

  const handlers = createDeliveryHandlers(ctx);
  let started = false;
  let closing: Promise<void> | undefined;
  let retention: RetentionSweep | undefined;
  const shutdown = async (): Promise<void> => {
    await Promise.allSettled([api.close(), peer.close(), admin?.close()]);
    await queues.close();
    await ops.close();
    handlers.close();
    await cases.stop();
    await retention?.stop();
    if (started) await exchangeLog.record({ event: 'stop', actor: 'gateway', outcome: 'ok' }).catch(() => undefined);
    await exchangeLog.close();
    redis.disconnect();
    workerRedis.disconnect();
    await target?.stop();
  };

  return {
    get config() {
      return live.config;
    },
    ctx,
    api,
    peer,
    admin,
    redis,
    async listen() {
      if (!started) {
        started = true;
        for (const p of config.peers) queues.startWorker(DeliveryQueues.peerQueueName(p.member), 'peer', handlers);
        for (const s of config.systems) {
          if (s.delivery.mode === 'push') queues.startWorker(DeliveryQueues.systemQueueName(s.id), 'system', handlers);
        }
        // Packets stored but not queued (out) or not handed to their local system (in) before a
        // crash get there now.
        for (const id of await store.pending()) {
          const rec = await store.get(id);
          if (rec?.status === 'accepted') await dispatch(ctx, rec);
          else if (rec) await completeInbound(ctx, rec);
        }
        await exchangeLog.record({ event: 'start', actor: 'gateway', outcome: 'ok', detail: { instance: config.node.instanceId } });
        cases.start();
        ops.start();
        // Expired packet records are logged before they are deleted (audit/retention-sweep.ts).
        retention = startRetentionSweep({
          store,
          log: exchangeLog,
          retentionDays: config.audit.retentionDays,
          logDir: config.audit.dir,
          owner: config.node.instanceId,
          onOldLogFiles: (files) => logger.warn({ files: files.length, oldest: files[0] }, 'exchange-log files older than audit.retentionDays: archive them (the gateway never deletes them)'),
        });
      }
      const url = (addr: string): string => addr.replace('http://', 'https://');
      const apiAddr = await api.listen({ host: config.listen.api.host, port: config.listen.api.port });
      const peerAddr = await peer.listen({ host: config.listen.peer.host, port: config.listen.peer.port });
      const adminAddr = admin && config.listen.admin ? await admin.listen({ host: config.listen.admin.host, port: config.listen.admin.port }) : undefined;
      return { api: url(apiAddr), peer: url(peerAddr), admin: adminAddr };
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
    reload(actor = 'admin:signal') {
      return reloadConfig({ live, queues, handlers, servers: [api, peer], revocation: ops.revocation, exchangeLog, logger }, actor);
    },
  };
}
