import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Packet types used as a label; anything else is counted as `other` (bounded label values). */
const KNOWN_TYPES = new Set([
  'newborn.application',
  'newborn.decision',
  'newborn.completion',
  'birth-certificate.check',
]);

/** A packet type fit for a label value. */
export function typeLabel(type: string | undefined): string {
  if (type === undefined || type === '') return 'unknown';
  return KNOWN_TYPES.has(type) ? type : 'other';
}

/**
 * The node's Prometheus metrics, one registry per node (no module-level singleton, so several
 * nodes in one process — tests, the demo — keep their own counts). Gauges that need a look at
 * Redis or the certificate files are filled by collectors run at scrape time.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Packets accepted on the API port, by type. */
  readonly packetsAccepted: Counter<'type'>;
  /** Requests refused, by port (api, peer), packet type when known, and code. */
  readonly packetsRefused: Counter<'port' | 'type' | 'code'>;
  /** Packets received from peers and stored. */
  readonly packetsReceived: Counter<'type' | 'peer'>;
  /** Successful deliveries, by queue (`out-<member>`, `push-<system>`). */
  readonly deliveries: Counter<'queue'>;
  /** Failed attempts that will be retried. */
  readonly retries: Counter<'queue' | 'code'>;
  /** Packets moved to dead letters. */
  readonly deadLetters: Counter<'queue' | 'code'>;
  /** Jobs per queue and state. */
  readonly queueDepth: Gauge<'queue' | 'state'>;
  /** Age of the oldest undelivered job per queue. */
  readonly queueOldestAge: Gauge<'queue'>;
  /** 1 while a peer's circuit breaker is open or half-open. */
  readonly breakerOpen: Gauge<'queue'>;
  /** Overdue cases, by the deadline missed; set by the case layer. */
  readonly overdueCases: Gauge<'kind'>;
  /** Days until each configured certificate expires (negative once expired). */
  readonly certDaysToExpiry: Gauge<'cert'>;
  /** 1 when the exchange log is writable. */
  readonly exchangeLogHealthy: Gauge;
  /** From request to signed acceptance receipt. */
  readonly acceptLatency: Histogram<'type'>;
  /** From acceptance to the peer's verified delivery receipt (or the push to a local system). */
  readonly deliveryLatency: Histogram<'queue'>;
  /** Add a function run before each scrape (gauges from Redis, files). */
  addCollector(fn: () => Promise<void> | void): void;
  /** Run the collectors, then render the text exposition format. */
  render(): Promise<string>;
}

/** Build a node's metrics on a fresh registry. */
export function createMetrics(opts: { processMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'tongban_' });
  const r = [registry];
  const collectors: Array<() => Promise<void> | void> = [];
  return {
    registry,
    packetsAccepted: new Counter({
      name: 'tongban_packets_accepted_total',
      help: 'Packets accepted on the API port.',
      labelNames: ['type'],
      registers: r,
    }),
    packetsRefused: new Counter({
      name: 'tongban_packets_refused_total',
      help: 'Requests refused, by port, packet type (when known) and error code.',
      labelNames: ['port', 'type', 'code'],
      registers: r,
    }),
    packetsReceived: new Counter({
      name: 'tongban_packets_received_total',
      help: 'Packets received from peer gateways.',
      labelNames: ['type', 'peer'],
      registers: r,
    }),
    deliveries: new Counter({
      name: 'tongban_deliveries_total',
      help: 'Packets delivered (peer receipt verified, or pushed).',
      labelNames: ['queue'],
      registers: r,
    }),
    retries: new Counter({
      name: 'tongban_delivery_retries_total',
      help: 'Failed delivery attempts that will be retried.',
      labelNames: ['queue', 'code'],
      registers: r,
    }),
    deadLetters: new Counter({
      name: 'tongban_dead_letters_total',
      help: 'Packets moved to dead letters.',
      labelNames: ['queue', 'code'],
      registers: r,
    }),
    queueDepth: new Gauge({
      name: 'tongban_queue_jobs',
      help: 'Jobs in delivery queues by state.',
      labelNames: ['queue', 'state'],
      registers: r,
    }),
    queueOldestAge: new Gauge({
      name: 'tongban_queue_oldest_age_seconds',
      help: 'Age of the oldest undelivered packet per queue.',
      labelNames: ['queue'],
      registers: r,
    }),
    breakerOpen: new Gauge({
      name: 'tongban_peer_breaker_open',
      help: "1 while a peer queue's circuit breaker is open or half-open.",
      labelNames: ['queue'],
      registers: r,
    }),
    overdueCases: new Gauge({
      name: 'tongban_cases_overdue',
      help: 'Open cases past a deadline, by deadline kind.',
      labelNames: ['kind'],
      registers: r,
    }),
    certDaysToExpiry: new Gauge({
      name: 'tongban_certificate_days_to_expiry',
      help: 'Days until a configured certificate expires.',
      labelNames: ['cert'],
      registers: r,
    }),
    exchangeLogHealthy: new Gauge({
      name: 'tongban_exchange_log_healthy',
      help: '1 when the exchange log is writable.',
      registers: r,
    }),
    acceptLatency: new Histogram({
      name: 'tongban_accept_latency_seconds',
      help: 'From request to signed acceptance receipt.',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: r,
    }),
    deliveryLatency: new Histogram({
      name: 'tongban_delivery_latency_seconds',
      help: 'From acceptance to delivery (verified peer receipt or push).',
      labelNames: ['queue'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 1800, 3600, 21600, 86400],
      registers: r,
    }),
    addCollector(fn) {
      collectors.push(fn);
    },
    async render() {
      // One failing collector (Redis away) must not hide the counters.
      await Promise.allSettled(collectors.map(async (c) => c()));
      return registry.metrics();
    },
  };
}
