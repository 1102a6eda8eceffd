import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  configuredCertificates,
  daysToExpiry,
  typeLabel,
  type ConfiguredCertificate,
  type GatewayMetrics,
  type ReadinessReport,
} from '../admin/index.js';
import { RateLimiter, RevocationChecker, systemRate, type ApiService } from '../api/index.js';
import type { ExchangeLog } from '../audit/index.js';
import type { WireEnvelope } from '../peer/index.js';
import { CircuitBreakers, DeliveryQueues } from '../queue/index.js';
import type { LiveConfig } from './live-config.js';
import type { PeerMaterial } from './material.js';
import { workerQueues } from './reload.js';

/** What the operational parts need. */
export interface OperationsDeps {
  readonly live: LiveConfig;
  readonly queues: DeliveryQueues;
  readonly redis: Redis;
  readonly metrics: GatewayMetrics;
  readonly exchangeLog: ExchangeLog;
  readonly logger: Logger;
  /** Reachability probe of a peer (any HTTP answer below 500). */
  readonly probePeer: (member: string) => Promise<boolean>;
}

/** Circuit breakers, CRLs, rate limits, certificate watch, readiness and metric collectors of a node. */
export interface NodeOperations {
  readonly breakers: CircuitBreakers;
  readonly revocation: RevocationChecker;
  readonly rateLimiter: RateLimiter;
  readiness(): Promise<ReadinessReport>;
  /** Wrap the API service so accepted and refused packets are counted. */
  instrumentApi(service: ApiService): ApiService;
  /** Count what the peer port takes and refuses. */
  instrumentReceive<T>(
    receive: (peer: PeerMaterial, env: WireEnvelope) => Promise<T>,
  ): (peer: PeerMaterial, env: WireEnvelope) => Promise<T>;
  /** Observe acceptance latency on the API server. */
  instrumentApiServer(app: FastifyInstance): void;
  start(): void;
  close(): Promise<void>;
}

const CERT_LOOK_MS = 60_000;
const WARN_EVERY_MS = 12 * 3600_000;
const PACKET_TYPE = /"type"\s*:\s*"([a-z.-]{1,40})"|<type>([a-z.-]{1,40})<\/type>/;

/** Build the operational parts (opens the CRLs: a bad CRL fails the node's start). */
export async function createOperations(d: OperationsDeps): Promise<NodeOperations> {
  const { live, queues, metrics, logger } = d;
  const peerQueues = (): string[] => live.config.peers.map((p) => DeliveryQueues.peerQueueName(p.member));
  const alert = (
    detail: Record<string, string | number | boolean>,
    outcome: 'ok' | 'error' = 'error',
  ): Promise<void> =>
    d.exchangeLog.record({ event: 'alert', actor: 'gateway', outcome, detail }).then(
      () => undefined,
      () => undefined,
    );

  const breakers = new CircuitBreakers({
    redis: d.redis,
    prefix: live.config.redis.prefix,
    settings: () => live.config.retry.breaker,
    queues: peerQueues,
    pause: (q) => queues.queue(q).pause(),
    resume: (q) => queues.queue(q).resume(),
    isPaused: (q) => queues.queue(q).isPaused(),
    probe: (q) => d.probePeer(q.replace(/^out-/, '')),
    onChange: async (c) => {
      const peer = c.queue.replace(/^out-/, '');
      if (c.state === 'open')
        logger.warn(
          { peer, failures: c.failures, coolDownMs: c.coolDownMs },
          'peer circuit open: queue paused',
        );
      else logger.info({ peer }, 'peer circuit closed: queue resumed');
      await alert(
        c.state === 'open'
          ? { alert: 'peer-circuit-open', peer, failures: c.failures, coolDownMs: c.coolDownMs }
          : { alert: 'peer-circuit-closed', peer },
        c.state === 'open' ? 'error' : 'ok',
      );
    },
    onError: (err) => logger.debug({ err: (err as Error).message }, 'breaker tick failed'),
  });
  queues.setBreaker(breakers);

  const revocation = await RevocationChecker.open({
    files: live.config.tls.crl,
    caPems: live.material.tls.ca,
    logger: logger.child({ domain: 'crl' }),
    onProblem: (file, message) => void alert({ alert: 'crl-problem', file, message: message.slice(0, 200) }),
  });
  const rateLimiter = new RateLimiter(d.redis, live.config.redis.prefix, (id) =>
    systemRate(live.config.limits, id),
  );

  // Certificate files are read at most once a minute (readiness and scrapes may be frequent).
  let certs: { at: number; config: unknown; list: ConfiguredCertificate[] } | undefined;
  const certificates = (): ConfiguredCertificate[] => {
    if (!certs || certs.config !== live.config || Date.now() - certs.at > CERT_LOOK_MS) {
      certs = { at: Date.now(), config: live.config, list: configuredCertificates(live.config) };
    }
    return certs.list;
  };
  const warnExpiring = (): void => {
    const within = live.config.tls.expiryWarningDays;
    for (const c of certificates()) {
      const days = daysToExpiry(c.notAfter);
      if (days < 0)
        logger.error(
          { cert: c.name, subject: c.subject, notAfter: c.notAfter.toISOString() },
          'certificate has expired',
        );
      else if (days <= within)
        logger.warn(
          { cert: c.name, subject: c.subject, days, notAfter: c.notAfter.toISOString() },
          'certificate expires soon',
        );
    }
  };

  metrics.addCollector(async () => {
    metrics.exchangeLogHealthy.set(d.exchangeLog.healthy ? 1 : 0);
    metrics.certDaysToExpiry.reset();
    for (const c of certificates()) metrics.certDaysToExpiry.set({ cert: c.name }, daysToExpiry(c.notAfter));
  });
  metrics.addCollector(async () => {
    const names = [...workerQueues(live.config).keys()];
    const now = Date.now();
    for (const q of names) {
      const { counts, oldestAgeMs } = await queues.depth(q, now);
      for (const [state, n] of Object.entries(counts)) metrics.queueDepth.set({ queue: q, state }, n);
      metrics.queueOldestAge.set({ queue: q }, oldestAgeMs / 1000);
    }
    for (const q of peerQueues())
      metrics.breakerOpen.set({ queue: q }, (await breakers.state(q)).state === 'closed' ? 0 : 1);
  });

  let warnTimer: NodeJS.Timeout | undefined;
  return {
    breakers,
    revocation,
    rateLimiter,

    async readiness() {
      const checks: Record<string, boolean> = {};
      checks.redis = await d.redis.ping().then(
        (r) => r === 'PONG',
        () => false,
      );
      // The running config was validated when it was loaded; a refused reload does not make it invalid.
      checks.config = true;
      checks.exchangeLog = d.exchangeLog.healthy;
      const list = certificates();
      const now = new Date();
      const expired = list.filter((c) => c.notAfter < now || c.notBefore > now);
      checks.certificates = !expired.some((c) => c.own);
      const peers: Record<string, string> = {};
      if (checks.redis) {
        for (const p of live.config.peers)
          peers[p.member] = (
            await breakers.state(DeliveryQueues.peerQueueName(p.member)).catch(() => ({ state: 'unknown' }))
          ).state;
      }
      return {
        ready: Object.values(checks).every(Boolean),
        checks,
        details: {
          // Peers are a detail: a peer being away must not take this node out of its load balancer.
          peers: Object.fromEntries(
            Object.entries(peers).map(([m, s]) => [m, { reachable: s === 'closed', breaker: s }]),
          ),
          expiredCertificates: expired.map((c) => c.name),
          expiringCertificates: list
            .filter(
              (c) => !expired.includes(c) && daysToExpiry(c.notAfter) <= live.config.tls.expiryWarningDays,
            )
            .map((c) => c.name),
          ...(live.lastReload ? { lastReload: live.lastReload } : {}),
        },
      };
    },

    instrumentApi(service) {
      return {
        ...service,
        async accept(system, packet) {
          const answer = await service.accept(system, packet);
          if (!answer.duplicate) metrics.packetsAccepted.inc({ type: typeLabel(packet.type) });
          return answer;
        },
        async rejected(entry) {
          metrics.packetsRefused.inc({ port: 'api', type: typeLabel(entry.type), code: entry.code });
          await service.rejected(entry);
        },
      };
    },

    instrumentReceive(receive) {
      return async (peer, env) => {
        try {
          const r = await receive(peer, env);
          metrics.packetsReceived.inc({ type: typeLabel(env.type), peer: peer.config.member });
          return r;
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          metrics.packetsRefused.inc({
            port: 'peer',
            type: typeLabel(env.type),
            code: typeof code === 'string' && code.startsWith('GW_ERR_') ? code : 'GW_ERR_INTERNAL',
          });
          throw err;
        }
      };
    },

    instrumentApiServer(app) {
      app.addHook('onResponse', async (req, reply) => {
        if (req.method !== 'POST' || reply.statusCode !== 202 || req.routeOptions.url !== '/v1/packets')
          return;
        const body = req.body;
        const type = Buffer.isBuffer(body)
          ? PACKET_TYPE.exec(body.subarray(0, 4096).toString('latin1'))?.slice(1).find(Boolean)
          : undefined;
        metrics.acceptLatency.observe({ type: typeLabel(type) }, reply.elapsedTime / 1000);
      });
    },

    start() {
      breakers.start();
      warnExpiring();
      warnTimer = setInterval(warnExpiring, WARN_EVERY_MS);
      warnTimer.unref();
    },

    async close() {
      clearInterval(warnTimer);
      revocation.close();
      await breakers.close();
    },
  };
}
