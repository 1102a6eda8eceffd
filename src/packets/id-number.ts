/**
 * 公民身份号码 checks per GB 11643-1999: 6-digit region code, 8-digit birth date, 3-digit
 * sequence (odd = male) and an ISO 7064 MOD 11-2 check character.
 */
import { isIdNumberProvince } from './region-codes.js';

/** Outcome of {@link validateIdNumber}. */
export type IdNumberResult =
  | { valid: true; birthDate: string; regionCode: string; sex: 'male' | 'female' }
  | { valid: false; reason: 'format' | 'check-digit' | 'birth-date' | 'region' };

/** Options for {@link validateIdNumber}. */
export interface IdNumberOptions {
  /** "Now" for the not-in-the-future check; default `new Date()`. */
  today?: Date;
}

// GB 11643-1999 §5: weights W_i = 2^(i-1) mod 11 for positions 18..2, and the check
// character for each value of (Σ a_i·W_i) mod 11.
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

// Nobody alive was born before this; earlier dates are data-entry errors.
const EARLIEST_BIRTH = '1900-01-01';

/** The GB 11643 check character for the first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += WEIGHTS[i]! * (first17.charCodeAt(i) - 48);
  return CHECK_CHARS[sum % 11]!;
}

/** Calendar date (YYYY-MM-DD) in China Standard Time, where ID birth dates are recorded. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** True when YYYYMMDD names a real Gregorian date. */
function isRealDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * Validates an 18-character 公民身份号码. Checks, in order: format (17 digits + digit or upper-case
 * X), check character, birth date (real, from 1900, not after today in China time), province.
 * The check character comes before the date so that a typo is reported as a typo.
 */
export function validateIdNumber(id: string, opts: IdNumberOptions = {}): IdNumberResult {
  if (!/^\d{17}[\dX]$/.test(id)) return { valid: false, reason: 'format' };
  if (idNumberCheckChar(id.slice(0, 17)) !== id[17]) return { valid: false, reason: 'check-digit' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isRealDate(y, m, d) || birthDate < EARLIEST_BIRTH || birthDate > chinaDate(opts.today ?? new Date())) {
    return { valid: false, reason: 'birth-date' };
  }
  if (!isIdNumberProvince(id.slice(0, 2))) return { valid: false, reason: 'region' };
  return {
    valid: true,
    birthDate,
    regionCode: id.slice(0, 6),
    sex: Number(id[16]) % 2 === 1 ? 'male' : 'female',
  };
}
