import type { Redis } from 'ioredis';

/** Settings of the breakers (config `retry.breaker`). */
export interface BreakerSettings {
  /** Consecutive transient failures that open a breaker; 0 turns breakers off. */
  readonly failures: number;
  /** First pause before a probe; doubles while probes fail. */
  readonly coolDownMs: number;
  readonly maxCoolDownMs: number;
}

/** State of one queue's breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A breaker opened or closed (for the exchange log and the operational log). */
export interface BreakerChange {
  readonly queue: string;
  readonly state: 'open' | 'closed';
  /** Failures in a row that opened it, or the cool-down after which it was probed. */
  readonly failures: number;
  readonly coolDownMs: number;
}

/** What a breaker needs from its surroundings. */
export interface CircuitBreakerOptions {
  readonly redis: Redis;
  /** Key prefix of the node (shared by its instances, so they share breaker state). */
  readonly prefix: string;
  /** Read on every use, so a config reload applies at once. */
  readonly settings: () => BreakerSettings;
  /** Queues that have breakers (the peers' queues); read on every tick. */
  readonly queues: () => readonly string[];
  pause(queue: string): Promise<void>;
  resume(queue: string): Promise<void>;
  isPaused(queue: string): Promise<boolean>;
  /** True when the other side answers at all (any HTTP answer below 500). */
  probe(queue: string): Promise<boolean>;
  onChange(change: BreakerChange): Promise<void>;
  /** How often open breakers are looked at; default 500 ms. */
  readonly tickMs?: number;
  readonly onError?: (err: unknown) => void;
}

// All transitions are Lua scripts on one hash per queue, so that several instances of a node
// agree on one state and only the instance that makes a transition reports it.
const FAILURE = `
if tonumber(ARGV[1]) <= 0 then return {0, 0, 0} end
local st = redis.call('HGET', KEYS[1], 'state')
if st == 'open' then return {0, 0, 0} end
local now = tonumber(ARGV[4])
if st == 'half-open' then
  -- The probe got an answer but a real delivery failed again: back off longer.
  local cd = math.min((tonumber(redis.call('HGET', KEYS[1], 'coolDown')) or tonumber(ARGV[2])) * 2, tonumber(ARGV[3]))
  redis.call('HSET', KEYS[1], 'state', 'open', 'coolDown', cd, 'until', now + cd, 'failures', 0)
  return {1, 1, cd}
end
local f = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if f >= tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'state', 'open', 'coolDown', ARGV[2], 'until', now + tonumber(ARGV[2]), 'failures', 0)
  return {1, f, tonumber(ARGV[2])}
end
return {0, f, 0}
`;

const SUCCESS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local st = redis.call('HGET', KEYS[1], 'state')
if st == 'open' or st == 'half-open' then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('HSET', KEYS[1], 'failures', 0)
return 0
`;

// Open and due: take the probe (one instance does it).
const PROBE_RESULT = `
if redis.call('HGET', KEYS[1], 'state') ~= 'open' then return 0 end
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'state', 'half-open')
  return 1
end
local cd = math.min(tonumber(redis.call('HGET', KEYS[1], 'coolDown')) * 2, tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'coolDown', cd, 'until', tonumber(ARGV[3]) + cd)
return 2
`;

/**
 * A circuit breaker per peer queue. When a peer fails N times in a row, every packet for it
 * would otherwise go on hammering it on its own backoff schedule (and burn its attempts);
 * instead the whole queue is paused (BullMQ `pause`, global to all instances), the peer is
 * probed after a cool-down that doubles while it stays away, and the queue resumes when it
 * answers. The first real delivery after the probe closes the breaker, or reopens it. Other
 * peers' queues are untouched.
 */
export class CircuitBreakers {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly o: CircuitBreakerOptions) {}

  private key(queue: string): string {
    return `${this.o.prefix}:breaker:${queue}`;
  }

  /** A delivery on this queue got an answer from the peer. */
  async success(queue: string): Promise<void> {
    const closed = (await this.o.redis.eval(SUCCESS, 1, this.key(queue))) as number;
    if (closed === 1) {
      await this.o.resume(queue);
      await this.o.onChange({ queue, state: 'closed', failures: 0, coolDownMs: 0 });
    }
  }

  /** A delivery on this queue failed in a way that may pass (network, 5xx, 429). */
  async failure(queue: string): Promise<void> {
    const s = this.o.settings();
    const [opened, failures, coolDown] = (await this.o.redis.eval(
      FAILURE,
      1,
      this.key(queue),
      String(s.failures),
      String(s.coolDownMs),
      String(s.maxCoolDownMs),
      String(Date.now()),
    )) as [number, number, number];
    if (opened === 1) {
      await this.o.pause(queue);
      await this.o.onChange({ queue, state: 'open', failures, coolDownMs: coolDown });
    }
  }

  /** The state of a queue's breaker. */
  async state(queue: string): Promise<{ state: BreakerState; failures: number; until?: number }> {
    const h = await this.o.redis.hgetall(this.key(queue));
    const state = (h.state as BreakerState | undefined) ?? 'closed';
    return { state, failures: Number(h.failures ?? 0), until: h.until ? Number(h.until) : undefined };
  }

  /** Start looking at open breakers (probe when due); bounded and unref'd. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.ticking ??= this.tick()
        .catch((err: unknown) => this.o.onError?.(err))
        .finally(() => {
          this.ticking = undefined;
        });
    }, this.o.tickMs ?? 500);
    this.timer.unref();
  }

  /** Stop the timer and wait for a probe in progress. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One look at every breaker: keep open queues paused, probe those that are due. */
  async tick(now = Date.now()): Promise<void> {
    for (const queue of this.o.queues()) {
      const b = await this.state(queue);
      if (b.state === 'closed') continue;
      // A pause may have been lost (an instance died between the transition and the pause).
      if (b.state === 'open' && !(await this.o.isPaused(queue))) await this.o.pause(queue);
      if (b.state !== 'open' || b.until === undefined || now < b.until) continue;
      const s = this.o.settings();
      const lock = await this.o.redis.set(
        `${this.key(queue)}:probe`,
        '1',
        'PX',
        Math.max(1000, s.coolDownMs),
        'NX',
      );
      if (lock !== 'OK') continue;
      const up = await this.o.probe(queue).catch(() => false);
      const r = (await this.o.redis.eval(
        PROBE_RESULT,
        1,
        this.key(queue),
        up ? '1' : '0',
        String(s.maxCoolDownMs),
        String(Date.now()),
      )) as number;
      await this.o.redis.del(`${this.key(queue)}:probe`);
      if (r === 1) await this.o.resume(queue);
    }
  }
}
