import { createHmac } from 'node:crypto';
import type { ChainHashName, ExchangeEvent, PersonRecord, PersonRef } from './types.js';

/** Shorter identifiers are masked completely: showing 4 + 4 characters would show most of them. */
const MIN_PARTIAL_ID_LENGTH = 12;

/**
 * Masks an ID number, keeping the first 4 (province and city) and last 4 characters:
 * `330106200001010013` → `3301**********0013`. Identifiers shorter than 12 characters are masked
 * entirely.
 */
export function maskIdNumber(idNumber: string): string {
  const id = normalizeIdNumber(idNumber);
  const chars = Array.from(id);
  if (chars.length < MIN_PARTIAL_ID_LENGTH) return '*'.repeat(chars.length);
  return `${chars.slice(0, 4).join('')}${'*'.repeat(chars.length - 8)}${chars.slice(-4).join('')}`;
}

/**
 * Masks a name, keeping only its first character (surname): `徐明` → `徐*`, `王小丽` → `王**`,
 * `阿依古丽·买买提` → `阿******`. Works on code points, so names with characters outside the BMP
 * (e.g. 𠮷) are not cut in the middle of a surrogate pair.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

/**
 * Canonical form of an ID number before hashing: trimmed, upper case (a lowercase check
 * character `x` is the same number as `X`).
 */
export function normalizeIdNumber(idNumber: string): string {
  return idNumber.trim().toUpperCase();
}

/**
 * The keyed hash written as `hmac` for a person: hex HMAC-SM3 or HMAC-SHA256 with the node secret
 * over the normalized ID number. An auditor holding the secret computes it to find every entry
 * about one citizen; without the secret the value reveals nothing (ID numbers are few enough to
 * be brute-forced through an unkeyed hash).
 */
export function personKey(secret: Buffer, hash: ChainHashName, idNumber: string): string {
  return createHmac(hash, secret).update(normalizeIdNumber(idNumber), 'utf8').digest('hex');
}

/** Converts the raw `people` of an event to what is written. */
export function protectPeople(
  people: readonly PersonRef[],
  secret: Buffer,
  hash: ChainHashName,
): PersonRecord[] {
  return people.map((p) => {
    const out: PersonRecord = { role: String(p.role) };
    if (typeof p.idNumber === 'string' && p.idNumber.trim() !== '') {
      out.masked = maskIdNumber(p.idNumber);
      out.hmac = personKey(secret, hash, p.idNumber);
    }
    if (typeof p.name === 'string' && p.name.trim() !== '') out.maskedName = maskName(p.name);
    return out;
  });
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';
const ID_IN_TEXT = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;

/** True for an 18-character 公民身份号码 with a valid GB 11643 check character and birth date. */
function looksLikeIdNumber(s: string): boolean {
  const id = s.toUpperCase();
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  if (ID_CHECK[sum % 11] !== id[17]) return false;
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && y <= 2100 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Masks anything in free text that is a valid 18-character ID number, even one the event did not
 * declare in `people`. Only `detail` is treated so: case and packet ids must stay searchable, and
 * the check digit plus a real birth date make a false positive on other numbers unlikely.
 */
function maskIdsInText(s: string): string {
  return s.replace(ID_IN_TEXT, (m) => (looksLikeIdNumber(m) ? maskIdNumber(m) : m));
}

/**
 * Replaces, in every free-text field of an event, any raw ID number or name that the same event
 * declares in `people`. A caller that also put "徐明" into `detail` by mistake must not leak it:
 * we know exactly which strings are secret, so this costs little and misses nothing we were told.
 * Single-character names are skipped (they would blank out ordinary text). In `detail`, any valid
 * ID number is masked as well.
 */
export function scrubEvent(e: ExchangeEvent): ExchangeEvent {
  const secrets: Array<[string, string]> = [];
  for (const p of e.people ?? []) {
    if (typeof p.idNumber === 'string') {
      const raw = p.idNumber.trim();
      if (raw.length >= 6) {
        secrets.push([raw, maskIdNumber(raw)]);
        if (raw !== raw.toUpperCase()) secrets.push([raw.toUpperCase(), maskIdNumber(raw)]);
        if (raw !== raw.toLowerCase()) secrets.push([raw.toLowerCase(), maskIdNumber(raw)]);
      }
    }
    if (typeof p.name === 'string' && Array.from(p.name.trim()).length >= 2) {
      secrets.push([p.name.trim(), maskName(p.name)]);
    }
  }
  if (secrets.length === 0 && !e.detail) return e;
  // Longest first, so that an ID number is not half-replaced by a shorter overlapping secret.
  secrets.sort((a, b) => b[0].length - a[0].length);
  // `includes` first: this runs on every field of every record, and almost nothing matches.
  const scrub = (s: string): string =>
    secrets.reduce((acc, [raw, masked]) => (acc.includes(raw) ? acc.split(raw).join(masked) : acc), s);
  const out: ExchangeEvent = { ...e };
  for (const k of ['packetId', 'caseId', 'type', 'from', 'to', 'actor', 'code'] as const) {
    const v = out[k];
    if (typeof v === 'string') out[k] = scrub(v);
  }
  if (e.detail) {
    const detail: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(e.detail)) {
      detail[maskIdsInText(scrub(k))] = typeof v === 'string' ? maskIdsInText(scrub(v)) : v;
    }
    out.detail = detail;
  }
  if (e.people) out.people = e.people.map((p) => ({ ...p, role: scrub(String(p.role)) }));
  return out;
}
