import { createHash } from 'node:crypto';
import type { ChainHashName, LogEntry } from './types.js';

/**
 * The hash `prev` holds for seq 1: 64 zeros. Both SM3 and SHA-256 give 32 bytes, so a genesis
 * value of the same length keeps every `prev` the same shape.
 */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON, the one byte form the chain hash is computed over:
 * - object keys sorted by UTF-16 code units (JavaScript's default sort, as in RFC 8785 JCS);
 * - no whitespace between tokens;
 * - strings and numbers exactly as `JSON.stringify` writes them (UTF-8 output, non-ASCII not
 *   escaped, shortest round-trip numbers); members whose value is `undefined` are left out.
 * For the integers and strings the log holds this is the same as RFC 8785.
 * Each log line *is* this encoding of the entry (with `hash`), followed by "\n", so a verifier
 * can also require byte equality and catch edits that keep the JSON value.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no non-finite numbers');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v: unknown) => canonicalJson(v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(obj).sort()) {
        if (obj[key] === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(obj[key])}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
}

/** Top-level members of an object as canonical `"key":value` texts, in canonical key order. */
function canonicalMembers(obj: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const key of Object.keys(obj).sort()) {
    if (obj[key] === undefined) continue;
    out.push([key, `${JSON.stringify(key)}:${canonicalJson(obj[key])}`]);
  }
  return out;
}

/** Hex digest with the chain hash. */
export function chainDigest(alg: ChainHashName, data: Buffer | string): string {
  return createHash(alg).update(data).digest('hex');
}

/**
 * `hash` of an entry: hex(H(UTF-8(canonicalJson(entry without "hash")))), H being SM3 or
 * SHA-256 as named by the entry's `alg`.
 */
export function entryHash(entry: Omit<LogEntry, 'hash'> & { hash?: string }): string {
  const rest: Record<string, unknown> = { ...entry };
  delete rest.hash;
  return chainDigest(entry.alg, canonicalJson(rest));
}

/**
 * Completes an entry with its hash and returns its line, canonicalizing the values only once
 * (this runs for every record, on the caller's path).
 */
export function sealEntry(body: Omit<LogEntry, 'hash'>): { entry: LogEntry; line: Buffer } {
  const members = canonicalMembers(body as unknown as Record<string, unknown>);
  const hash = chainDigest(body.alg, `{${members.map((m) => m[1]).join(',')}}`);
  const at = members.findIndex((m) => m[0] > 'hash');
  members.splice(at === -1 ? members.length : at, 0, ['hash', `"hash":"${hash}"`]);
  return { entry: { ...body, hash }, line: Buffer.from(`{${members.map((m) => m[1]).join(',')}}\n`, 'utf8') };
}

/** The exact bytes of a log line for `entry` (canonical JSON and "\n"). */
export function entryLine(entry: LogEntry): Buffer {
  return Buffer.from(`${canonicalJson(entry)}\n`, 'utf8');
}

/** What a raw line turned out to be. */
export type ParsedLine =
  | { kind: 'malformed'; reason: string }
  | {
      kind: 'entry';
      entry: LogEntry;
      /** Hash recomputes, the line is canonical and every field has its expected type. */
      selfOk: boolean;
      reason?: string;
    };

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Parses one line (without its "\n"). A line is an `entry` as soon as it is a JSON object with an
 * integer `seq` and string `hash`, so that the verifier can place it in the chain even when the
 * rest is damaged; `selfOk` then says whether it is intact.
 */
export function parseLine(raw: Buffer): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', reason: 'not a JSON object' };
  }
  const obj = value as Record<string, unknown>;
  if (
    typeof obj.seq !== 'number' ||
    !Number.isSafeInteger(obj.seq) ||
    obj.seq < 1 ||
    typeof obj.hash !== 'string'
  ) {
    return { kind: 'malformed', reason: 'no integer seq or string hash' };
  }
  const entry = obj as unknown as LogEntry;
  const shape = shapeProblem(obj);
  if (shape) return { kind: 'entry', entry, selfOk: false, reason: shape };
  // One canonicalization serves both checks: the line with `hash`, the hash input without it.
  const members = canonicalMembers(obj);
  const full = `{${members.map((m) => m[1]).join(',')}}`;
  if (!Buffer.from(full, 'utf8').equals(raw)) {
    return { kind: 'entry', entry, selfOk: false, reason: 'line is not in canonical form' };
  }
  const signed = `{${members
    .filter((m) => m[0] !== 'hash')
    .map((m) => m[1])
    .join(',')}}`;
  if (chainDigest(entry.alg, signed) !== entry.hash) {
    return { kind: 'entry', entry, selfOk: false, reason: 'hash mismatch' };
  }
  return { kind: 'entry', entry, selfOk: true };
}

function shapeProblem(obj: Record<string, unknown>): string | undefined {
  if (obj.v !== 1) return 'unknown format version';
  if (obj.alg !== 'sm3' && obj.alg !== 'sha256') return 'unknown alg';
  if (typeof obj.prev !== 'string' || !HEX64.test(obj.prev)) return 'bad prev';
  if (!HEX64.test(obj.hash as string)) return 'bad hash';
  for (const k of ['time', 'instance', 'member', 'event', 'actor', 'outcome'] as const) {
    if (typeof obj[k] !== 'string') return `bad ${k}`;
  }
  return undefined;
}
