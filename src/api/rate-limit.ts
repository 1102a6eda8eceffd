import type { Redis } from 'ioredis';

/** A rate: tokens per second and bucket size. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

// Token bucket in one hash; Redis's own clock, so instances with skewed clocks share one budget.
// Returns {allowed, milliseconds until one token is back}.
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, wait}
`;

/**
 * Per-system request budget on the API port, as a token bucket in Redis: every instance of a
 * node behind a load balancer draws from the same bucket, so adding instances does not multiply
 * what a system may send. The cost is one Redis round trip per request; when Redis is away the
 * call fails and the request is answered 503 like any other that needs the store.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** The rate of a system, or undefined for unlimited; read per request (config reload). */
    private readonly rateOf: (systemId: string) => Rate | undefined,
  ) {}

  /** Take one token for a system. */
  async take(systemId: string): Promise<{ ok: boolean; retryAfterMs: number }> {
    const rate = this.rateOf(systemId);
    if (!rate || rate.perSecond <= 0) return { ok: true, retryAfterMs: 0 };
    const [allowed, wait] = (await this.redis.eval(
      TAKE,
      1,
      `${this.prefix}:rate:${systemId}`,
      String(rate.perSecond),
      String(rate.burst),
    )) as [number, number];
    return { ok: allowed === 1, retryAfterMs: wait };
  }
}

/** The rate of a system from config `limits` (per-system override, else the global rate). */
export function systemRate(
  limits: {
    readonly ratePerSecond: number;
    readonly rateBurst?: number;
    readonly systems: Readonly<
      Record<string, { readonly ratePerSecond: number; readonly rateBurst?: number }>
    >;
  },
  systemId: string,
): Rate | undefined {
  const own = limits.systems[systemId];
  const perSecond = own ? own.ratePerSecond : limits.ratePerSecond;
  if (perSecond <= 0) return undefined;
  const burst = (own ? own.rateBurst : limits.rateBurst) ?? Math.max(1, Math.ceil(perSecond * 2));
  return { perSecond, burst };
}
