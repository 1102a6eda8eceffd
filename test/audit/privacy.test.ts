import { sm3 } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  maskIdNumber,
  maskName,
  personKey,
} from '../../src/audit/index.js';
import type { LogEntry } from '../../src/audit/index.js';
import { toEventFields } from '../../src/audit/event-input.js';
import { SECRET } from './helpers.js';

describe('masking', () => {
  it('keeps the first 4 and last 4 characters of an ID number', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('11010519491231002x')).toBe('1101**********002X');
    expect(maskIdNumber('330106202501010019')).toBe('3301**********0019');
    expect(maskIdNumber('110105491231002')).toBe('1101*******1002'); // 15-digit (pre-1999) number
    expect(maskIdNumber('12345678')).toBe('********'); // too short to show anything
  });

  it('keeps only the first character of a name, by code point', () => {
    expect(maskName('徐明')).toBe('徐*');
    expect(maskName('王小丽')).toBe('王**');
    expect(maskName(' 李四 ')).toBe('李*');
    expect(maskName('𠮷野家')).toBe('𠮷**'); // a surname outside the BMP is not split
    expect(maskName('阿依古丽·买买提')).toBe('阿*******');
    expect(maskName('')).toBe('');
  });
});

describe('personKey', () => {
  // Vectors from `openssl dgst -sha256|-sm3 -hmac 0123456789abcdef0123456789abcdef`.
  it('is HMAC over the normalized ID number', () => {
    expect(personKey(SECRET, 'sha256', '11010519491231002X')).toBe(
      '7b2b7323b75750d6b3bf13c96f9841b6f9b099fed3f4ac35fa61cfa57ff8b97b',
    );
    expect(personKey(SECRET, 'sm3', '11010519491231002X')).toBe(
      '987f922dd96d98aaf89dbb930a6a9841e7af9ab0056e98b185d380f4c886d775',
    );
    expect(personKey(SECRET, 'sm3', ' 11010519491231002x ')).toBe(
      personKey(SECRET, 'sm3', '11010519491231002X'),
    );
  });

  it('agrees with an independent HMAC-SM3 (sm-crypto-v2)', () => {
    const id = '520102199003074429';
    expect(personKey(SECRET, 'sm3', id)).toBe(sm3(id, { key: new Uint8Array(SECRET), mode: 'hmac' }));
  });
});

describe('canonical encoding', () => {
  it('hashes the documented byte form (sorted keys, no whitespace, UTF-8)', () => {
    const body: Omit<LogEntry, 'hash'> = {
      v: 1,
      seq: 1,
      time: '2025-03-01T09:00:00.000+08:00',
      instance: 'gw-a',
      member: '520000',
      alg: 'sm3',
      event: 'accepted',
      caseId: '黔-2025-0001',
      actor: 'system:520000-population',
      outcome: 'ok',
      detail: { z: 1, a: 'x"y' },
      prev: GENESIS_HASH,
    };
    const expected =
      '{"actor":"system:520000-population","alg":"sm3","caseId":"黔-2025-0001","detail":{"a":"x\\"y","z":1},' +
      '"event":"accepted","instance":"gw-a","member":"520000","outcome":"ok",' +
      `"prev":"${GENESIS_HASH}","seq":1,"time":"2025-03-01T09:00:00.000+08:00","v":1}`;
    expect(canonicalJson(body)).toBe(expected);
    expect(entryHash(body)).toBe(sm3(new Uint8Array(Buffer.from(expected, 'utf8'))));
  });
});

describe('event input', () => {
  it('refuses forged checkpoints and malformed events, with GW_ERR_INTERNAL', () => {
    const base = { actor: 'admin:alice', outcome: 'ok' } as const;
    expect(() => toEventFields({ ...base, event: 'checkpoint' }, SECRET, 'sm3')).toThrow(
      /written by the log/,
    );
    expect(() => toEventFields({ ...base, event: 'nope' as 'admin' }, SECRET, 'sm3')).toThrow(
      /unknown event/,
    );
    expect(() => toEventFields({ ...base, event: 'admin', actor: '' }, SECRET, 'sm3')).toThrow(/actor/);
  });

  it('masks valid ID numbers found anywhere in detail, but not other long numbers', () => {
    const f = toEventFields(
      {
        event: 'admin',
        actor: 'admin:alice',
        outcome: 'ok',
        detail: { note: 'see 520102199003074429', ref: '520102199003074428', n: Number.NaN },
      },
      SECRET,
      'sm3',
    );
    expect(f.detail).toEqual({ note: 'see 5201**********4429', ref: '520102199003074428', n: 'NaN' });
  });
});
