import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import { openExchangeLog, type ExchangeLog } from '../audit/index.js';
import { createWorkingCalendar, type WorkingCalendar } from '../cases/index.js';
import { loadConfig, type GatewayConfig } from '../config/index.js';
import { createSuiteRegistry } from '../crypto/index.js';
import { loadIdentity } from '../pki/index.js';
import { connectRedis, resolveRedis, waitReady } from '../queue/index.js';

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

/** The node secret for keyed hashes; same file and format as the node's (created if missing). */
function loadSecret(file: string): Buffer {
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('hex') + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Opens a node's Redis (as the node resolves it: config, REDIS_URL, local 6379) and, with `audit`,
 * an exchange-log chain of its own, `<instanceId>-cli`, signed with the node's signing key: admin
 * changes are audited next to the node's chains without interleaving with a running instance.
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
    if (opts.audit) {
      const suiteName = config.crypto.defaultSuite;
      const keys = config.crypto.suites[suiteName]!;
      const signing = loadIdentity(keys.signing.cert, keys.signing.key);
      const suite = createSuiteRegistry()(suiteName);
      exchangeLog = await openExchangeLog({
        dir: config.audit.dir,
        member: config.node.member,
        instanceId: `${config.node.instanceId}-cli`,
        hash: suiteName === 'sm' ? 'sm3' : 'sha256',
        secret: loadSecret(config.audit.secretFile),
        checkpoint: {
          signer: (data: Buffer) => suite.sign(data, signing),
          certDer: signing.certDer,
          suite: suiteName,
          everyMs: 0,
        },
      });
    }
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
