import { describe, expect, it } from 'vitest';
import { chinaDate, idNumberCheckChar, validateIdNumber } from '../../src/packets/index.js';
import { NOW } from './helpers.js';

/** Builds an ID number with a correct check character from its first 17 digits. */
const withCheck = (first17: string): string => first17 + idNumberCheckChar(first17);

describe('validateIdNumber (GB 11643-1999)', () => {
  it('accepts the standard example 11010519491231002X', () => {
    expect(validateIdNumber('11010519491231002X', { today: NOW })).toEqual({
      valid: true,
      birthDate: '1949-12-31',
      regionCode: '110105',
      sex: 'female',
    });
  });

  it.each([
    ['330102199203150013', '1992-03-15', '330102', 'male'],
    ['330106199405201224', '1994-05-20', '330106', 'female'],
    ['520102199307080043', '1993-07-08', '520102', 'female'],
    ['50010319900101007X', '1990-01-01', '500103', 'male'],
    ['330102202611020028', '2026-11-02', '330102', 'female'],
  ])('accepts the sample number %s', (id, birthDate, regionCode, sex) => {
    expect(validateIdNumber(id, { today: NOW })).toEqual({ valid: true, birthDate, regionCode, sex });
  });

  it('computes check characters including X and 0', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(idNumberCheckChar('50010319900101007')).toBe('X');
    expect(idNumberCheckChar('33010219920315001')).toBe('3');
  });

  it.each([
    ['11010519491231002x', 'lower-case x'],
    ['1101051949123100X', '17 characters'],
    ['1101051949123100212', '19 characters'],
    ['11010519491231A02X', 'a letter inside'],
    ['', 'empty'],
  ])('refuses %s (%s) as format', (id) => {
    expect(validateIdNumber(id, { today: NOW })).toEqual({ valid: false, reason: 'format' });
  });

  it('refuses a wrong check character', () => {
    expect(validateIdNumber('110105194912310021', { today: NOW })).toEqual({
      valid: false,
      reason: 'check-digit',
    });
    expect(validateIdNumber('330102199203150014', { today: NOW })).toEqual({
      valid: false,
      reason: 'check-digit',
    });
  });

  it.each([
    ['11010519930231002', '30 February'],
    ['11010519931301002', 'month 13'],
    ['11010519930000002', 'day 0'],
    ['11010518991231002', 'before 1900'],
    ['11010520261127002', 'tomorrow (future)'],
  ])('refuses %s (%s) as birth-date', (first17) => {
    expect(validateIdNumber(withCheck(first17), { today: NOW })).toEqual({
      valid: false,
      reason: 'birth-date',
    });
  });

  it('accepts 29 February in a leap year only', () => {
    expect(validateIdNumber(withCheck('11010520000229002'), { today: NOW }).valid).toBe(true);
    expect(validateIdNumber(withCheck('11010519000229002'), { today: NOW })).toEqual({
      valid: false,
      reason: 'birth-date',
    });
  });

  it('judges "future" by the date in China (UTC+8), not UTC', () => {
    const id = '330102202611020028'; // born 2026-11-02
    // 2026-11-01T16:30Z is already 2026-11-02 00:30 in Beijing.
    expect(validateIdNumber(id, { today: new Date('2026-11-01T16:30:00Z') }).valid).toBe(true);
    expect(validateIdNumber(id, { today: new Date('2026-11-01T15:59:00Z') })).toEqual({
      valid: false,
      reason: 'birth-date',
    });
    expect(chinaDate(new Date('2026-11-01T16:30:00Z'))).toBe('2026-11-02');
  });

  it.each(['99', '00', '10', '24', '80'])('refuses unknown province %s as region', (prov) => {
    expect(validateIdNumber(withCheck(`${prov}010519900101002`), { today: NOW })).toEqual({
      valid: false,
      reason: 'region',
    });
  });

  it('accepts 港澳台 residence-permit prefixes 81/82/83', () => {
    for (const prov of ['81', '82', '83']) {
      expect(validateIdNumber(withCheck(`${prov}000019900101002`), { today: NOW }).valid).toBe(true);
    }
  });
});
