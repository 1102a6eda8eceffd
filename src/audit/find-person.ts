import { readFileSync } from 'node:fs';
import { GatewayError } from '../errors.js';
import { personKey } from './privacy.js';
import { scanEntries, type ScannedEntry } from './scan-entries.js';

/**
 * Reads a node secret file as the node writes it (`audit.secretFile`: hex and a newline).
 * Fewer than 16 bytes is refused: it cannot be a secret the node made (32 bytes).
 */
export function readAuditSecret(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new GatewayError('GW_ERR_AUDIT_SECRET_INVALID', `cannot read the key file ${file}`, [], {
      cause: err,
    });
  }
  if (!/^([0-9a-fA-F]{2}){16,}$/.test(text)) {
    throw new GatewayError('GW_ERR_AUDIT_SECRET_INVALID', `${file} does not hold a hex node secret`);
  }
  return Buffer.from(text, 'hex');
}

/**
 * Every entry about one citizen: the keyed hash of the ID number is computed with the node
 * secret (for both chain algorithms, since a log's `alg` follows its node's suite) and looked
 * for in `people[].hmac`. Nothing about the person is written anywhere; without the right secret
 * nothing is found.
 */
export async function findPerson(
  dirs: string | readonly string[],
  secret: Buffer,
  idNumber: string,
): Promise<ScannedEntry[]> {
  if (idNumber.trim() === '') throw new GatewayError('GW_ERR_AUDIT_QUERY_INVALID', '--id-number is empty');
  const keys = { sm3: personKey(secret, 'sm3', idNumber), sha256: personKey(secret, 'sha256', idNumber) };
  const needles = [keys.sm3, keys.sha256].map((k) => `"hmac":"${k}"`);
  return scanEntries(dirs, {
    lineFilter: (line) => needles.some((n) => line.includes(n)),
    match: (e) => (e.people ?? []).some((p) => p.hmac === keys[e.alg]),
  });
}
