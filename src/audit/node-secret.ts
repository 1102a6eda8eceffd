import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The node secret for the log's keyed hashes (hex in a 0600 file). Created on first use — by the
 * node or by an admin command run before the node ever started — and then shared by both, so one
 * citizen has one keyed hash across every chain of the node.
 */
export function loadOrCreateNodeSecret(file: string): Buffer {
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('hex') + '\n', { mode: 0o600 });
  return secret;
}
