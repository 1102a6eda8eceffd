/**
 * Case files in Redis, shared by a node's instances. Every change is a compare-and-set done by one
 * Lua script: the file is written only if it is still the one the change was computed from, so
 * two instances handling packets of one case never lose a history entry (the loser recomputes).
 * The same script can claim a 出生医学证明 number for the case, so an approval and the number
 * being marked used happen together or not at all — of many concurrent approvals of different
 * cases with one number, exactly one commits.
 *
 * Keys under the node prefix: `case:<caseId>` (JSON), `cases:due` (zset of open cases by the
 * deadline they wait for, not yet alerted), `cases:overdue` (zset of alerted, still open cases).
 * Redis Cluster note: the script touches a case key and a certificate key, which would need a
 * common hash tag there; this node targets a single Redis or Sentinel (DESIGN §7).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GatewayError } from '../errors.js';
import { pendingDeadline, type CaseFile } from './case-file.js';

const SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
if cur ~= ARGV[1] then return {'retry', ''} end
local other = ''
if ARGV[6] ~= '' then
  local bl = redis.call('HGET', KEYS[4], 'blacklisted')
  local by = redis.call('HGET', KEYS[4], 'usedBy')
  if ARGV[6] == 'claim' then
    if bl == '1' then return {'blacklisted', ''} end
    if by and by ~= ARGV[3] then return {'used', by} end
  end
  if not by then
    redis.call('HSET', KEYS[4], 'usedBy', ARGV[3], 'usedAt', ARGV[7])
  elseif by ~= ARGV[3] then
    other = by
  end
end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[4] == '' then redis.call('ZREM', KEYS[2], ARGV[3]) else redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3]) end
if ARGV[5] == '' then redis.call('ZREM', KEYS[3], ARGV[3]) else redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3]) end
return {'ok', other}
`;
const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** How long to wait before looking again at a case whose deadline year has no calendar. */
const RECHECK_UNKNOWN_MS = 6 * 3_600_000;
const MAX_ATTEMPTS = 100;

/** A change computed from the current file. */
export interface CaseChange {
  readonly next: CaseFile;
  /**
   * Mark the case's 出生医学证明 number used in the registry key given: `claim` refuses when it is
   * blacklisted or used by another case (an approval here); `note` marks it if free and never
   * refuses (an approval made by the peer, recorded on this side).
   */
  readonly certificate?: { readonly key: string; readonly mode: 'claim' | 'note' };
}

/** Result of {@link CaseStore.update}. */
export interface CaseUpdate {
  /** The file after the update (unchanged when the change function returned undefined). */
  readonly file: CaseFile | undefined;
  readonly changed: boolean;
  /** For `note`: another case that had already used the number. */
  readonly certificateUsedBy?: string;
}

/** Case files of one node. */
export class CaseStore {
  readonly dueKey: string;
  readonly overdueKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dueKey = `${prefix}:cases:due`;
    this.overdueKey = `${prefix}:cases:overdue`;
  }

  key(caseId: string): string {
    return `${this.prefix}:case:${caseId}`;
  }

  async get(caseId: string): Promise<CaseFile | undefined> {
    const raw = await this.redis.get(this.key(caseId));
    return raw === null ? undefined : (JSON.parse(raw) as CaseFile);
  }

  /**
   * Applies `change` to the current file with compare-and-set, retrying on a concurrent write.
   * `change` may throw (a refusal: nothing is written) or return undefined (nothing to do).
   * @throws GatewayError `GW_ERR_BIRTHCERT_BLACKLISTED`, `GW_ERR_BIRTHCERT_USED` from a `claim`
   */
  async update(
    caseId: string,
    change: (current: CaseFile | undefined) => CaseChange | undefined,
  ): Promise<CaseUpdate> {
    const key = this.key(caseId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const raw = await this.redis.get(key);
      const current = raw === null ? undefined : (JSON.parse(raw) as CaseFile);
      const c = change(current);
      if (c === undefined) return { file: current, changed: false };
      const { due, overdue } = this.scores(c.next);
      const [outcome, other] = await this.run(
        [key, this.dueKey, this.overdueKey, c.certificate?.key ?? `${this.prefix}:bc:-`],
        [
          raw ?? '',
          JSON.stringify(c.next),
          caseId,
          due,
          overdue,
          c.certificate?.mode ?? '',
          this.now().toISOString(),
        ],
      );
      if (outcome === 'ok') return { file: c.next, changed: true, certificateUsedBy: other || undefined };
      if (outcome === 'blacklisted')
        throw new GatewayError('GW_ERR_BIRTHCERT_BLACKLISTED', undefined, [
          { message: 'blacklisted', caseId },
        ]);
      if (outcome === 'used') {
        throw new GatewayError('GW_ERR_BIRTHCERT_USED', '该出生医学证明编号已被另一案件使用，本案不能批准', [
          { message: 'used by another case', caseId, usedBy: other },
        ]);
      }
      // 'retry': someone wrote the case between our read and our write; back off a little.
      await new Promise((r) => setTimeout(r, 1 + Math.floor(Math.random() * 5 * Math.min(attempt + 1, 10))));
    }
    throw new GatewayError(
      'GW_ERR_STORE_UNAVAILABLE',
      `case ${caseId} kept changing; giving up after ${MAX_ATTEMPTS} attempts`,
    );
  }

  /** Case ids whose awaited deadline (not yet alerted) is at or before `at`, oldest first. */
  async dueBy(at: Date, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.dueKey, '-inf', at.getTime(), 'LIMIT', 0, limit);
  }

  /** Case ids already alerted as overdue and still open. */
  async alerted(limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.overdueKey, '-inf', '+inf', 'LIMIT', 0, limit);
  }

  /** Drops a case id from the deadline sets (its file is gone). */
  async forget(caseId: string): Promise<void> {
    await this.redis.multi().zrem(this.dueKey, caseId).zrem(this.overdueKey, caseId).exec();
  }

  /** Zset scores for a file: waiting for a deadline, or alerted and still open, or neither. */
  private scores(file: CaseFile): { due: string; overdue: string } {
    const pending = pendingDeadline(file);
    if (pending === undefined) return { due: '', overdue: '' };
    if (pending.dueAt === undefined) {
      // The year's calendar is missing: look again later (config may have gained the year).
      return { due: String(this.now().getTime() + RECHECK_UNKNOWN_MS), overdue: '' };
    }
    const ms = String(Date.parse(pending.dueAt));
    return file.alerted.includes(`${pending.kind}@${pending.dueAt}`)
      ? { due: '', overdue: ms }
      : { due: ms, overdue: '' };
  }

  private async run(keys: string[], args: string[]): Promise<[string, string]> {
    try {
      return (await this.redis.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args)) as [string, string];
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
      return (await this.redis.eval(SCRIPT, keys.length, ...keys, ...args)) as [string, string];
    }
  }
}
