import { GatewayError } from '../errors.js';
import { canonicalJson } from './canonical.js';
import { shanghaiDay } from './files.js';
import { scanEntries, type ScannedEntry } from './scan-entries.js';
import type { LogEntry } from './types.js';

/** Output formats of `tongban audit export`. */
export type ExportFormat = 'csv' | 'jsonl';

/** A time range, `from` inclusive, `to` exclusive, in ms since the epoch. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

const DAY = /^(\d{4})-?(\d{2})-?(\d{2})$/;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * Reads one end of an export range. A day (`2025-03-01` or `20250301`) is an Asia/Shanghai
 * calendar day, as the daily files are: `--from` starts at its 00:00, `--to` includes it whole.
 * A date-time with an offset (`…Z`, `…+08:00`) is that instant; without an offset it is read as
 * Asia/Shanghai time, because that is what the log's own `time` fields show. A `--to` instant is
 * inclusive.
 */
export function parseTimeBoundary(text: string, edge: 'from' | 'to'): number {
  const t = text.trim();
  const day = DAY.exec(t);
  if (day) {
    const start = Date.parse(`${day[1]}-${day[2]}-${day[3]}T00:00:00+08:00`);
    if (Number.isNaN(start) || shanghaiDay(new Date(start)) !== `${day[1]}${day[2]}${day[3]}`) {
      throw new GatewayError('GW_ERR_AUDIT_QUERY_INVALID', `not a calendar day: ${text}`);
    }
    return edge === 'from' ? start : start + 24 * 3600_000;
  }
  const ms = Date.parse(LOCAL_TIME.test(t) ? `${t}+08:00` : t);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    throw new GatewayError(
      'GW_ERR_AUDIT_QUERY_INVALID',
      `not a date (YYYY-MM-DD) or ISO 8601 date-time: ${text}`,
    );
  }
  return edge === 'from' ? ms : ms + 1;
}

/**
 * The entries written in `range`, from every instance found in `dirs`, merged by time. Only the
 * daily files whose day overlaps the range are read. The entries are exactly as logged: masked
 * names and ID numbers, keyed hashes, never anything in clear.
 */
export async function exportEntries(
  dirs: string | readonly string[],
  range: TimeRange,
): Promise<ScannedEntry[]> {
  if (!(range.from < range.to))
    throw new GatewayError('GW_ERR_AUDIT_QUERY_INVALID', '--from must be before --to');
  return scanEntries(dirs, {
    fromDay: shanghaiDay(new Date(range.from)),
    toDay: shanghaiDay(new Date(range.to - 1)),
    match: (e) => {
      const t = Date.parse(e.time);
      return t >= range.from && t < range.to;
    },
  });
}

/** CSV columns, in order. */
export const CSV_COLUMNS = [
  'time',
  'member',
  'instance',
  'seq',
  'event',
  'outcome',
  'code',
  'packetId',
  'caseId',
  'type',
  'from',
  'to',
  'actor',
  'people',
  'detail',
  'hash',
] as const;

/** The CSV header line (with CRLF, as RFC 4180 has it). */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/**
 * One entry as a CSV row (RFC 4180, CRLF). `people` is `role masked maskedName` items joined by
 * `; ` — without the keyed hash, which only matters to someone holding the node secret (they use
 * `audit find` or the JSON lines). `detail` is its canonical JSON. Cells that a spreadsheet would
 * run as a formula (starting with = + - @) get a leading `'`.
 */
export function csvRow(e: LogEntry): string {
  const people = (e.people ?? [])
    .map((p) => [p.role, p.masked, p.maskedName].filter((x) => x !== undefined && x !== '').join(' '))
    .join('; ');
  const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
    time: e.time,
    member: e.member,
    instance: e.instance,
    seq: String(e.seq),
    event: e.event,
    outcome: e.outcome,
    code: e.code ?? '',
    packetId: e.packetId ?? '',
    caseId: e.caseId ?? '',
    type: e.type ?? '',
    from: e.from ?? '',
    to: e.to ?? '',
    actor: e.actor,
    people,
    detail: e.detail ? canonicalJson(e.detail) : '',
    hash: e.hash,
  };
  return `${CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',')}\r\n`;
}

function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One exported entry in `format`: the log line itself for jsonl (still verifiable), a row for csv. */
export function formatExported(s: ScannedEntry, format: ExportFormat): string {
  return format === 'jsonl' ? `${s.line}\n` : csvRow(s.entry);
}
