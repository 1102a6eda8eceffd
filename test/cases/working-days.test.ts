import { describe, expect, it } from 'vitest';
import { createWorkingCalendar, shanghaiDateOf, yearsCoveredBy } from '../../src/cases/working-days.js';
import { GatewayError, isGatewayError } from '../../src/errors.js';

/** Runs `fn` and returns the GatewayError it throws (fails the test if it throws nothing else). */
function caught(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

// 国务院办公厅关于2027年部分节假日安排的通知 is not in the package; this stand-in has the shape
// administrators would configure (元旦 1 Jan, a Spring Festival break with make-up Saturdays).
const CAL_2027 = {
  holidays: [
    '2027-01-01',
    '2027-02-05',
    '2027-02-06',
    '2027-02-07',
    '2027-02-08',
    '2027-02-09',
    '2027-02-10',
    '2027-02-11',
    '2027-02-12',
  ],
  workdays: ['2027-01-30', '2027-02-20'],
};

describe('createWorkingCalendar (chinese-days data)', () => {
  const cal = createWorkingCalendar();

  it('derives the covered years from the package data: 2004 through 2026, nothing later', () => {
    const years = cal.coveredYears();
    expect(years[0]).toBe(2004);
    expect(years.at(-1)).toBe(2026);
    expect(years).toHaveLength(2026 - 2004 + 1);
    expect(years).not.toContain(2027);
    expect(years).not.toContain(2003);
  });

  it('does not take a year as covered from a next-year 元旦 spill into late December', () => {
    expect([...yearsCoveredBy(['2018-10-01', '2018-12-30', '2018-12-31', '2019-01-01'])]).toEqual([2018]);
    expect([...yearsCoveredBy(['2026-12-31', '2027-01-01'])]).toEqual([]);
  });

  it('knows the 2025 National Day / Mid-autumn break and its make-up workdays', () => {
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday, 调休 workday
    expect(cal.isWorkingDay('2025-09-30')).toBe(true);
    for (let d = 1; d <= 8; d += 1) {
      expect(cal.isWorkingDay(`2025-10-0${d}`)).toBe(false);
    }
    expect(cal.isWorkingDay('2025-10-09')).toBe(true);
    expect(cal.isWorkingDay('2025-10-11')).toBe(true); // Saturday, 调休 workday
    expect(cal.isWorkingDay('2025-10-12')).toBe(false); // ordinary Sunday
    expect(cal.isWorkingDay('2025-09-29')).toBe(true); // ordinary Monday
  });

  it('knows the 2026 Spring Festival break and its make-up Saturdays', () => {
    expect(cal.isWorkingDay('2026-02-13')).toBe(true); // Friday
    expect(cal.isWorkingDay('2026-02-14')).toBe(true); // Saturday, 调休 workday
    expect(cal.isWorkingDay('2026-02-15')).toBe(false);
    expect(cal.isWorkingDay('2026-02-23')).toBe(false);
    expect(cal.isWorkingDay('2026-02-24')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true); // Saturday, 调休 workday
  });

  it('does not count the starting day (期间开始的当日不计算在内)', () => {
    expect(cal.addWorkingDays('2025-09-30', 1)).toBe('2025-10-09');
    expect(cal.addWorkingDays('2025-09-30', 2)).toBe('2025-10-10');
    expect(cal.addWorkingDays('2025-10-10', 1)).toBe('2025-10-11'); // Saturday make-up day counts
    expect(cal.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    expect(cal.addWorkingDays('2026-02-13', 2)).toBe('2026-02-24');
    expect(cal.addWorkingDays('2026-02-14', 1)).toBe('2026-02-24');
    expect(cal.addWorkingDays('2025-09-26', 1)).toBe('2025-09-28'); // Friday → make-up Sunday
    expect(cal.addWorkingDays('2026-03-06', 1)).toBe('2026-03-09'); // ordinary weekend skipped
    expect(cal.addWorkingDays('2026-03-06', 0)).toBe('2026-03-06');
  });

  it('delivered 2025-09-30 + 2 working days is due at the end of 2025-10-10, Shanghai time', () => {
    const due = cal.dueAt(new Date('2025-09-30T10:00:00+08:00'), 2);
    expect(due.dueDate).toBe('2025-10-10');
    expect(due.dueAt.toISOString()).toBe('2025-10-10T15:59:59.999Z');
  });

  it('delivered Friday 2026-02-13 + 2 working days is due at the end of 2026-02-24', () => {
    const due = cal.dueAt(new Date('2026-02-13T09:30:00+08:00'), 2);
    expect(due).toEqual({ dueDate: '2026-02-24', dueAt: new Date('2026-02-24T23:59:59.999+08:00') });
    expect(cal.dueAt(new Date('2026-02-13T09:30:00+08:00'), 1).dueDate).toBe('2026-02-14');
  });

  it('takes the start day in Asia/Shanghai, whatever the UTC date is', () => {
    const instant = new Date('2026-02-13T20:00:00Z'); // 2026-02-14 04:00 in Shanghai
    expect(shanghaiDateOf(instant)).toBe('2026-02-14');
    expect(cal.dueAt(instant, 1).dueDate).toBe('2026-02-24');
    expect(cal.dueAt(instant, 2).dueDate).toBe('2026-02-25');
    // One millisecond before Shanghai midnight still belongs to 02-13.
    expect(cal.dueAt(new Date('2026-02-13T15:59:59.999Z'), 1).dueDate).toBe('2026-02-14');
  });

  it('refuses a year the package does not cover, instead of pretending it has no holidays', () => {
    const err = caught(() => cal.isWorkingDay('2027-02-08'));
    expect(err.code).toBe('GW_ERR_CASE_CALENDAR_MISSING');
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/2027/);
    expect(err.message).toMatch(/config/);
    expect(
      isGatewayError(
        caught(() => cal.dueAt(new Date('2027-03-01T02:00:00Z'), 1)),
        'GW_ERR_CASE_CALENDAR_MISSING',
      ),
    ).toBe(true);
    // A count that runs from a covered year into an uncovered one fails too.
    expect(caught(() => cal.addWorkingDays('2026-12-30', 2)).code).toBe('GW_ERR_CASE_CALENDAR_MISSING');
    expect(cal.addWorkingDays('2026-12-30', 1)).toBe('2026-12-31');
  });

  it('rejects malformed dates', () => {
    expect(caught(() => cal.isWorkingDay('2025-02-30')).code).toBe('GW_ERR_INTERNAL');
    expect(caught(() => cal.isWorkingDay('2025-9-30')).code).toBe('GW_ERR_INTERNAL');
    expect(caught(() => cal.addWorkingDays('2025-09-30', -1)).code).toBe('GW_ERR_INTERNAL');
    expect(caught(() => cal.dueAt(new Date('nonsense'), 1)).code).toBe('GW_ERR_INTERNAL');
  });
});

describe('createWorkingCalendar with extra years', () => {
  const cal = createWorkingCalendar({ extraYears: { 2027: CAL_2027 } });

  it('covers a configured year with its holidays and make-up workdays', () => {
    expect(cal.coveredYears().at(-1)).toBe(2027);
    expect(cal.isWorkingDay('2027-01-01')).toBe(false); // Friday, holiday
    expect(cal.isWorkingDay('2027-01-04')).toBe(true);
    expect(cal.isWorkingDay('2027-01-30')).toBe(true); // Saturday, make-up
    expect(cal.isWorkingDay('2027-01-31')).toBe(false); // ordinary Sunday
    expect(cal.addWorkingDays('2027-02-04', 1)).toBe('2027-02-15');
    expect(cal.addWorkingDays('2026-12-30', 2)).toBe('2027-01-04');
    const due = cal.dueAt(new Date('2027-02-04T08:00:00Z'), 2);
    expect(due.dueDate).toBe('2027-02-16');
    expect(due.dueAt.toISOString()).toBe('2027-02-16T15:59:59.999Z');
    expect(caught(() => cal.isWorkingDay('2028-01-03')).code).toBe('GW_ERR_CASE_CALENDAR_MISSING');
  });

  it('lets a configured date override the package for a covered year', () => {
    const fixed = createWorkingCalendar({
      extraYears: { 2026: { holidays: ['2026-03-02'], workdays: ['2026-02-15'] } },
    });
    expect(fixed.isWorkingDay('2026-03-02')).toBe(false);
    expect(fixed.isWorkingDay('2026-02-15')).toBe(true);
    expect(fixed.isWorkingDay('2026-02-16')).toBe(false); // the rest of the package data stays
    expect(fixed.isWorkingDay('2026-02-14')).toBe(true);
  });

  it('refuses bad extra calendars with a config error', () => {
    const bad = (extra: Record<number, { holidays: string[]; workdays: string[] }>): string =>
      caught(() => createWorkingCalendar({ extraYears: extra })).code;
    expect(bad({ 2027: { holidays: ['2028-01-01'], workdays: [] } })).toBe('GW_ERR_CONFIG_INVALID');
    expect(bad({ 2027: { holidays: ['2027-13-01'], workdays: [] } })).toBe('GW_ERR_CONFIG_INVALID');
    expect(bad({ 2027: { holidays: ['2027-02-20'], workdays: ['2027-02-20'] } })).toBe(
      'GW_ERR_CONFIG_INVALID',
    );
  });
});
