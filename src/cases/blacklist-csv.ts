/**
 * The blacklist import format (`samples/birth-certificate-blacklist.csv`):
 * `number,reason,reportedBy,reportedOn`, one entry a line, UTF-8 (a BOM and CRLF are tolerated).
 * Fields never need quoting (no commas in any of them), so quoted fields are refused rather than
 * half-parsed. Every bad line is reported with its number before anything is imported.
 */
import { GatewayError, type ErrorDetail } from '../errors.js';
import { BIRTH_CERTIFICATE_NO, type BlacklistEntry } from './birth-certificate-registry.js';

const HEADER = ['number', 'reason', 'reportedBy', 'reportedOn'];
const REASON = /^[a-z][a-z0-9-]{0,63}$/;
const MEMBER = /^[1-8]\d0000$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function realDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * Parses the CSV text into entries.
 * @throws GatewayError `GW_ERR_BIRTHCERT_CSV` listing every bad line (`line` in details is 1-based)
 */
export function parseBlacklistCsv(text: string): BlacklistEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: ErrorDetail[] = [];
  const header = (lines[0] ?? '').split(',').map((s) => s.trim());
  if (header.join(',') !== HEADER.join(',')) {
    throw new GatewayError('GW_ERR_BIRTHCERT_CSV', `line 1: expected the header ${HEADER.join(',')}`, [
      { message: `expected header ${HEADER.join(',')}`, line: 1 },
    ]);
  }
  const entries: BlacklistEntry[] = [];
  const seen = new Set<string>();
  lines.slice(1).forEach((raw, i) => {
    const line = i + 2;
    if (raw.trim() === '') return;
    const bad = (message: string): void => {
      problems.push({ message: `line ${line}: ${message}`, line });
    };
    if (raw.includes('"')) return bad('quoted fields are not supported');
    const f = raw.split(',').map((s) => s.trim());
    if (f.length !== HEADER.length) return bad(`expected ${HEADER.length} fields, got ${f.length}`);
    const [number, reason, reportedBy, reportedOn] = f as [string, string, string, string];
    if (!BIRTH_CERTIFICATE_NO.test(number)) return bad('number is not one capital letter and 9 digits');
    if (!REASON.test(reason)) return bad('reason must be lower-case words joined by "-", e.g. lost-reported');
    if (!MEMBER.test(reportedBy)) return bad('reportedBy must be a member code such as 310000');
    if (!realDate(reportedOn)) return bad('reportedOn must be a real date YYYY-MM-DD');
    if (seen.has(number)) return bad(`number ${number} is listed twice`);
    seen.add(number);
    entries.push({ number, reason, reportedBy, reportedOn });
  });
  if (problems.length > 0) {
    throw new GatewayError(
      'GW_ERR_BIRTHCERT_CSV',
      `${problems.length} bad line${problems.length === 1 ? '' : 's'} in the blacklist CSV; nothing was imported`,
      problems,
    );
  }
  return entries;
}
