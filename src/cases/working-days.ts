/**
 * Chinese working-day calendar (statutory holidays and 调休 make-up workdays) for case deadlines.
 *
 * The data comes from the `chinese-days` package (State Council notices, 2004 onwards). We read its
 * shipped JSON rather than call its `isWorkday`, because that function takes the weekday from the
 * machine's local time zone: under TZ=America/New_York it calls Monday 2025-09-29 a rest day.
 * Here every date is a plain calendar day handled in UTC arithmetic, and instants are mapped to
 * the Asia/Shanghai day by a fixed +08:00 offset (China has had no DST since 1991).
 */
import { createRequire } from 'node:module';
import { GatewayError } from '../errors.js';

/** One year's calendar supplied by administrators, for years the package does not cover yet. */
export interface ExtraCalendarYear {
  /** Statutory rest days (YYYY-MM-DD), weekends inside a holiday included or not — both work. */
  readonly holidays: readonly string[];
  /** 调休 make-up workdays (YYYY-MM-DD), usually weekends that become working days. */
  readonly workdays: readonly string[];
}

/** Options of {@link createWorkingCalendar}. */
export interface WorkingCalendarOptions {
  /**
   * Calendars by year (each date listed under the year it falls in). A year given here counts as
   * covered; its dates override the package's data for the same dates. Default: none.
   */
  readonly extraYears?: Readonly<Record<number, ExtraCalendarYear>>;
}

/** Result of {@link WorkingCalendar.dueAt}. */
export interface DueDate {
  /** The last calendar day of the period (YYYY-MM-DD, Asia/Shanghai). */
  readonly dueDate: string;
  /** The end of that day, 23:59:59.999 Asia/Shanghai. */
  readonly dueAt: Date;
}

/** Working-day arithmetic over the Chinese official calendar. */
export interface WorkingCalendar {
  /**
   * True on a working day (Mon–Fri that is not a statutory holiday, or a 调休 make-up workday).
   * @throws GatewayError `GW_ERR_CASE_CALENDAR_MISSING` when the date's year is not covered.
   */
  isWorkingDay(date: string): boolean;
  /**
   * The n-th working day after `start`. The starting day itself is not counted
   * (期间开始的当日不计算在内), so `n = 1` is the next working day even if `start` is one; `n = 0`
   * returns `start`.
   * @throws GatewayError `GW_ERR_CASE_CALENDAR_MISSING` when the count runs into an uncovered year.
   */
  addWorkingDays(start: string, n: number): string;
  /**
   * Deadline of a period of `workingDays` working days starting on the Asia/Shanghai calendar day
   * of `startInstant`: the end of the last day, 23:59:59.999 Asia/Shanghai.
   */
  dueAt(startInstant: Date, workingDays: number): DueDate;
  /** Years this calendar knows (package data and extra years), ascending. */
  coveredYears(): number[];
}

const DAY_MS = 86_400_000;
/** Asia/Shanghai is UTC+8 all year round. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a strict, real YYYY-MM-DD date, or undefined. */
function parseDay(date: string): number | undefined {
  const m = DATE_RE.exec(date);
  if (m === null) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Round-tripping rejects dates such as 2025-02-30 that Date.UTC silently rolls over.
  return formatDay(ms / DAY_MS) === date ? ms / DAY_MS : undefined;
}

function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function requireDay(date: string): number {
  const day = parseDay(date);
  if (day === undefined) {
    throw new GatewayError(
      'GW_ERR_INTERNAL',
      `Invalid calendar date ${JSON.stringify(date)}; expected YYYY-MM-DD`,
    );
  }
  return day;
}

/** The Asia/Shanghai calendar day (YYYY-MM-DD) of an instant, independent of the machine's TZ. */
export function shanghaiDateOf(instant: Date): string {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new GatewayError('GW_ERR_INTERNAL', 'Invalid instant for a deadline');
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

interface PackageCalendar {
  readonly holidays: ReadonlySet<string>;
  readonly workdays: ReadonlySet<string>;
  readonly years: ReadonlySet<number>;
}

let packageCalendar: PackageCalendar | undefined;

function dateKeys(value: unknown, field: string): string[] {
  if (typeof value !== 'object' || value === null) {
    throw new GatewayError('GW_ERR_INTERNAL', `chinese-days data has no "${field}" table`);
  }
  return Object.keys(value).filter((k) => parseDay(k) !== undefined);
}

/**
 * Years covered by a list of statutory holiday dates: those with a holiday between February and
 * November. Each annual notice has 劳动节 (May) and 国庆 (Oct), so every notice passes; but a
 * notice's 元旦 arrangement can reach into the neighbouring year (2018-12-30 and -31 come from the
 * 2019 notice), and such a stray date alone must not make a year without its own notice look
 * covered — e.g. the year before the data starts, or a next year whose notice is not yet shipped.
 */
export function yearsCoveredBy(holidays: Iterable<string>): Set<number> {
  const years = new Set<number>();
  for (const d of holidays) {
    const month = Number(d.slice(5, 7));
    if (parseDay(d) !== undefined && month >= 2 && month <= 11) years.add(Number(d.slice(0, 4)));
  }
  return years;
}

/** Loads the package's data once (it is immutable, so sharing it between calendars is safe). */
function loadPackageCalendar(): PackageCalendar {
  if (packageCalendar !== undefined) return packageCalendar;
  const require = createRequire(import.meta.url);
  const raw: unknown = require('chinese-days/dist/chinese-days.json');
  const table = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const holidays = dateKeys(table.holidays, 'holidays');
  const workdays = dateKeys(table.workdays, 'workdays');
  packageCalendar = {
    holidays: new Set(holidays),
    workdays: new Set(workdays),
    years: yearsCoveredBy(holidays),
  };
  return packageCalendar;
}

function checkExtraDates(year: number, list: readonly string[], kind: string): void {
  for (const d of list) {
    if (parseDay(d) === undefined || Number(d.slice(0, 4)) !== year) {
      throw new GatewayError(
        'GW_ERR_CONFIG_INVALID',
        `Working-day calendar ${year}: ${kind} entry ${JSON.stringify(d)} is not a YYYY-MM-DD date in ${year}`,
      );
    }
  }
}

/**
 * Builds a working-day calendar from the `chinese-days` data plus optional extra years.
 * @throws GatewayError `GW_ERR_CONFIG_INVALID` when an extra year holds a bad date, a date of
 *   another year, or the same date as both holiday and workday.
 */
export function createWorkingCalendar(opts: WorkingCalendarOptions = {}): WorkingCalendar {
  const base = loadPackageCalendar();
  const years = new Set(base.years);
  // Extra dates override the package, so a date listed there is decided by the extra list alone.
  const extraRest = new Set<string>();
  const extraWork = new Set<string>();
  for (const [key, cal] of Object.entries(opts.extraYears ?? {})) {
    const year = Number(key);
    if (!Number.isInteger(year) || year < 1000 || year > 9999) {
      throw new GatewayError(
        'GW_ERR_CONFIG_INVALID',
        `Working-day calendar: ${JSON.stringify(key)} is not a year`,
      );
    }
    checkExtraDates(year, cal.holidays, 'holiday');
    checkExtraDates(year, cal.workdays, 'workday');
    const both = cal.holidays.find((d) => cal.workdays.includes(d));
    if (both !== undefined) {
      throw new GatewayError(
        'GW_ERR_CONFIG_INVALID',
        `Working-day calendar ${year}: ${both} is listed both as holiday and as workday`,
      );
    }
    cal.holidays.forEach((d) => extraRest.add(d));
    cal.workdays.forEach((d) => extraWork.add(d));
    years.add(year);
  }
  const sortedYears = [...years].sort((a, b) => a - b);

  const isWorkingDayNumber = (day: number): boolean => {
    const date = formatDay(day);
    const year = Number(date.slice(0, 4));
    if (!years.has(year)) {
      throw new GatewayError(
        'GW_ERR_CASE_CALENDAR_MISSING',
        `The working-day calendar for ${year} is missing, so the deadline cannot be computed; ` +
          `administrators can add the year's holidays and make-up workdays in config`,
        [{ message: `no calendar for ${year}`, year }],
      );
    }
    if (extraWork.has(date)) return true;
    if (extraRest.has(date)) return false;
    if (base.workdays.has(date)) return true;
    const weekday = new Date(day * DAY_MS).getUTCDay();
    return weekday >= 1 && weekday <= 5 && !base.holidays.has(date);
  };

  const addWorkingDays = (start: string, n: number): string => {
    if (!Number.isInteger(n) || n < 0) {
      throw new GatewayError('GW_ERR_INTERNAL', `Working-day count must be a non-negative integer, got ${n}`);
    }
    let day = requireDay(start);
    // Terminates: any covered stretch has working days, and an uncovered year throws.
    for (let left = n; left > 0;) {
      day += 1;
      if (isWorkingDayNumber(day)) left -= 1;
    }
    return formatDay(day);
  };

  return {
    isWorkingDay: (date) => isWorkingDayNumber(requireDay(date)),
    addWorkingDays,
    dueAt(startInstant, workingDays) {
      const dueDate = addWorkingDays(shanghaiDateOf(startInstant), workingDays);
      const endOfDayUtc = (requireDay(dueDate) + 1) * DAY_MS - 1 - SHANGHAI_OFFSET_MS;
      return { dueDate, dueAt: new Date(endOfDayUtc) };
    },
    coveredYears: () => [...sortedYears],
  };
}
