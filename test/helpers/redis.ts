import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The machine's Redis (never a mock); tests isolate themselves by key prefix. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix for one test file. */
export function testPrefix(name: string): string {
  return `tongban-test:${name}:${randomBytes(4).toString('hex')}`;
}

/** Delete every key under a prefix. */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
