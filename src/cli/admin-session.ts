import { userInfo } from 'node:os';
import type { Redis } from 'ioredis';
import type { ExchangeLog } from '../audit/index.js';
import { createWorkingCalendar, type WorkingCalendar } from '../cases/index.js';
import { loadConfig, type GatewayConfig } from '../config/index.js';
import { connectRedis, resolveRedis, waitReady } from '../queue/index.js';
import { openAdminLog } from './admin-log.js';

/** What an administrator's command works with: the node's Redis, and (when it changes data) its exchange log. */
export interface AdminSession {
  readonly config: GatewayConfig;
  readonly redis: Redis;
  readonly calendar: WorkingCalendar;
  /** `admin:<OS user>`, the actor of audited changes. */
  readonly actor: string;
  /** Open only when asked for: read-only commands leave no trace. */
  readonly exchangeLog?: ExchangeLog;
  close(): Promise<void>;
}

/**
 * Opens a node's Redis (as the node resolves it: config, REDIS_URL, local 6379) and, with `audit`,
 * the administrators' exchange-log chain (instance `admin`, signed with the node's signing key):
 * admin changes are audited next to the node's chains without interleaving with a running instance.
 */
export async function openAdminSession(configFile: string, opts: { audit: boolean }): Promise<AdminSession> {
  const config = loadConfig(configFile);
  const calendar = createWorkingCalendar({
    extraYears: Object.fromEntries(
      Object.entries(config.calendar.extraYears).map(([y, c]) => [Number(y), c]),
    ),
  });
  const target = await resolveRedis(config.redis.url, config.node.dataDir);
  const redis = connectRedis(target.url, { name: `tongban-${config.node.member}-cli` });
  redis.on('error', () => undefined); // surfaced by the command that fails
  let exchangeLog: ExchangeLog | undefined;
  try {
    await waitReady(redis);
    // Admin changes go to the administrators' own chain (see admin-log.ts), one writer at a time.
    if (opts.audit) exchangeLog = await openAdminLog(config);
  } catch (err) {
    redis.disconnect();
    await target.stop();
    throw err;
  }
  return {
    config,
    redis,
    calendar,
    actor: `admin:${userInfo().username}`,
    exchangeLog,
    async close() {
      await exchangeLog?.close();
      redis.disconnect();
      await target.stop();
    },
  };
}
