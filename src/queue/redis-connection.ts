import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** Where the Redis used by a node came from. */
export interface RedisTarget {
  readonly url: string;
  readonly origin: 'config' | 'env' | 'local' | 'private';
  /** For a private redis-server we started: stops it. */
  stop(): Promise<void>;
}

/** Wait until a client is ready; commands fail fast (no offline queue) before that. */
export async function waitReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

/** Open an ioredis client; BullMQ workers need `maxRetriesPerRequest: null`. */
export function connectRedis(url: string, opts: { forWorker?: boolean; name?: string } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: opts.forWorker ? null : 2,
    enableOfflineQueue: opts.forWorker ? true : false,
    connectionName: opts.name,
    lazyConnect: false,
  });
}

async function answers(url: string, timeoutMs = 800): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** A free TCP port on loopback (listen on 0, read it, close). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Start a private `redis-server` with AOF on under `dir`, bound to loopback. Used by the CLI when
 * no Redis answers, and by fault tests that must restart or kill Redis without touching others'.
 */
export async function startPrivateRedis(dir: string, port?: number): Promise<RedisTarget & { port: number; process: ChildProcess }> {
  mkdirSync(dir, { recursive: true });
  const p = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
    { stdio: 'ignore' },
  );
  const spawnError = new Promise<Error>((res) => child.once('error', res));
  const url = `redis://127.0.0.1:${p}`;
  for (let i = 0; i < 50; i++) {
    const failed = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(r, 100, undefined))]);
    if (failed) {
      throw new Error(
        `redis-server could not be started (${failed.message}). Install Redis ≥ 6.2 (e.g. apt-get install redis-server) or set REDIS_URL.`,
      );
    }
    if (await answers(url, 300)) {
      // Other processes of this node (the CLI's `queue` commands) find the private server here.
      writeFileSync(join(dir, 'url'), url + '\n');
      return {
        url,
        origin: 'private',
        port: p,
        process: child,
        stop: () =>
          new Promise<void>((res) => {
            if (child.exitCode !== null) return res();
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
      };
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${p} did not answer within 5 s`);
}

/**
 * Find the Redis a node uses (DESIGN §7): the config's url, else `REDIS_URL`, else
 * redis://127.0.0.1:6379 if it answers, else a private redis-server with AOF under `dataDir`.
 */
export async function resolveRedis(configUrl: string | undefined, dataDir: string): Promise<RedisTarget> {
  const none = async (): Promise<void> => undefined;
  if (configUrl) return { url: configUrl, origin: 'config', stop: none };
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, origin: 'env', stop: none };
  const local = 'redis://127.0.0.1:6379';
  if (await answers(local)) return { url: local, origin: 'local', stop: none };
  return startPrivateRedis(join(dataDir, 'redis'));
}

/**
 * Find the Redis a running node uses, without starting one (the CLI's `queue` commands): the
 * config's url, `REDIS_URL`, redis://127.0.0.1:6379 if it answers, else the private server the
 * node started under `dataDir` (its url file) if it answers.
 */
export async function locateRedis(configUrl: string | undefined, dataDir: string): Promise<string | undefined> {
  if (configUrl) return configUrl;
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const local = 'redis://127.0.0.1:6379';
  if (await answers(local)) return local;
  const file = join(dataDir, 'redis', 'url');
  if (existsSync(file)) {
    const url = readFileSync(file, 'utf8').trim();
    if (await answers(url)) return url;
  }
  return undefined;
}
