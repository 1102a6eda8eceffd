/**
 * The 出生医学证明 registry of one member, in Redis (shared by the member's instances): which
 * numbers are blacklisted (lost, voided, forged — imported by administrators) and which have been
 * used by an approved registration. 公安部 requires both checks before any registration.
 *
 * One hash per number, `<prefix>:bc:<number>`, fields `blacklisted`, `reason`, `reportedBy`,
 * `reportedOn`, `listedAt` and `usedBy` (case id), `usedAt`. Marking a number used happens inside
 * the case store's update script, atomically with the approval (see `case-store.ts`).
 */
import type { Redis } from 'ioredis';
import { GatewayError } from '../errors.js';
import type { BirthCertificateStatus } from '../packets/index.js';

/** `^[A-Z]\d{9}$`: the letter changes between editions, so it is not fixed. */
export const BIRTH_CERTIFICATE_NO = /^[A-Z]\d{9}$/;

/** One blacklist entry (a row of the import CSV). */
export interface BlacklistEntry {
  readonly number: string;
  /** e.g. `lost-reported`, `voided-misprint`, `forgery-suspected`. */
  readonly reason: string;
  /** Member that reported it. */
  readonly reportedBy: string;
  /** YYYY-MM-DD. */
  readonly reportedOn: string;
}

/** What the registry knows about a number. */
export interface CertificateState {
  readonly certificateNo: string;
  readonly status: BirthCertificateStatus;
  /** Blacklist reason, when blacklisted. */
  readonly reason?: string;
  /** Case that used the number, when used. */
  readonly usedBy?: string;
}

/** Outcome of an import: numbers newly listed, listed again with other data, unchanged. */
export interface ImportResult {
  readonly added: string[];
  readonly updated: string[];
  readonly unchanged: string[];
}

/** Masks a certificate number for logs and messages: `Q310123456` → `Q*****3456`. */
export function maskCertificateNo(no: string): string {
  return no.length < 6 ? '*'.repeat(no.length) : `${no[0]}${'*'.repeat(no.length - 5)}${no.slice(-4)}`;
}

/** Throws `GW_ERR_BIRTHCERT_NUMBER` unless `no` has the 出生医学证明 form. */
export function requireCertificateNo(no: unknown): string {
  if (typeof no !== 'string' || !BIRTH_CERTIFICATE_NO.test(no)) {
    throw new GatewayError(
      'GW_ERR_BIRTHCERT_NUMBER',
      '出生医学证明编号格式不正确（应为1位大写字母加9位数字）',
      [{ path: '/certificateNo', message: 'expected one capital letter and 9 digits' }],
    );
  }
  return no;
}

/** The registry over one Redis and key prefix. */
export class BirthCertificateRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Redis key of a number (used by the case store's approval script too). */
  key(no: string): string {
    return `${this.prefix}:bc:${no}`;
  }

  /** Status of a number; blacklisting wins over use (a used number can be reported lost later). */
  async check(no: string): Promise<CertificateState> {
    requireCertificateNo(no);
    const h = await this.redis.hgetall(this.key(no));
    if (h.blacklisted === '1') return { certificateNo: no, status: 'blacklisted', reason: h.reason };
    if (h.usedBy) return { certificateNo: no, status: 'used', usedBy: h.usedBy };
    return { certificateNo: no, status: 'unused' };
  }

  /** Lists entries (idempotent: a row already listed with the same data is unchanged). */
  async importBlacklist(entries: readonly BlacklistEntry[], at = new Date()): Promise<ImportResult> {
    const out: ImportResult = { added: [], updated: [], unchanged: [] };
    for (const e of entries) {
      const key = this.key(requireCertificateNo(e.number));
      const h = await this.redis.hgetall(key);
      const same =
        h.blacklisted === '1' &&
        h.reason === e.reason &&
        h.reportedBy === e.reportedBy &&
        h.reportedOn === e.reportedOn;
      if (same) {
        out.unchanged.push(e.number);
        continue;
      }
      await this.redis.hset(key, {
        blacklisted: '1',
        reason: e.reason,
        reportedBy: e.reportedBy,
        reportedOn: e.reportedOn,
        listedAt: at.toISOString(),
      });
      (h.blacklisted === '1' ? out.updated : out.added).push(e.number);
    }
    return out;
  }

  /** Takes a number off the blacklist (its use, if any, stays). True when it was listed. */
  async removeFromBlacklist(no: string): Promise<boolean> {
    const key = this.key(requireCertificateNo(no));
    const removed = await this.redis.hdel(
      key,
      'blacklisted',
      'reason',
      'reportedBy',
      'reportedOn',
      'listedAt',
    );
    return removed > 0;
  }
}
