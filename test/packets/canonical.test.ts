import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  createPacketValidator,
  packetDigestInput,
  parseBody,
} from '../../src/packets/index.js';
import { GBK_XML_SAMPLE, JSON_SAMPLES, NOW, packetXml, sampleBytes, sampleJson } from './helpers.js';

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace, keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [3, 1, { d: true, c: null }], '': 'x' })).toBe(
      '{"":"x","a":[3,1,{"c":null,"d":true}],"b":1}',
    );
  });

  it('sorts by code point, not by UTF-16 code unit', () => {
    // U+FF01 < U+20000 by code point; as UTF-16 the surrogate 0xD840 sorts before 0xFF01.
    const value = { '\u{20000}': 1, '\uFF01': 2, a: 3 };
    expect(Object.keys(value).sort()).toEqual(['a', '\u{20000}', '\uFF01']);
    expect(canonicalJson(value)).toBe('{"a":3,"\uFF01":2,"\u{20000}":1}');
  });

  it('writes numbers and strings as JSON.stringify does, Chinese unescaped', () => {
    expect(canonicalJson([1e21, -0, 0.1, 1.5e-7, 'é"\\\n', '徐小雨'])).toBe(
      '[1e+21,0,0.1,1.5e-7,"é\\"\\\\\\n","徐小雨"]',
    );
  });

  it('omits undefined properties (as JSON.stringify) and uses toJSON', () => {
    expect(canonicalJson({ a: undefined, b: new Date('2026-01-02T03:04:05Z') })).toBe(
      '{"b":"2026-01-02T03:04:05.000Z"}',
    );
  });

  it('refuses values with no faithful JSON form', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });

  it('allows the same object twice when not cyclic', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('packetDigestInput', () => {
  const validator = createPacketValidator({ now: () => NOW });

  it('is UTF-8 of the canonical JSON and ignores key order', () => {
    const packet = validator.validate(sampleJson(JSON_SAMPLES[0]));
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    const reordered = reversed(packet);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(packet));
    const bytes = packetDigestInput(packet);
    expect(bytes.toString('utf8')).toBe(canonicalJson(packet));
    expect(bytes.equals(packetDigestInput(validator.validate(reordered)))).toBe(true);
    expect(bytes.includes(Buffer.from('徐小雨', 'utf8'))).toBe(true);
  });

  it('gives identical bytes for a packet sent as JSON and as GBK XML', () => {
    for (const name of JSON_SAMPLES) {
      const fromJson = validator.validate(parseBody(sampleBytes(name), 'application/json'));
      const fromXml = validator.validate(parseBody(packetXml(fromJson, 'GBK'), 'application/xml'));
      expect(packetDigestInput(fromXml).equals(packetDigestInput(fromJson))).toBe(true);
    }
    const xmlPacket = validator.validate(parseBody(sampleBytes(GBK_XML_SAMPLE), 'application/xml'));
    expect(packetDigestInput(xmlPacket).toString('utf8')).toBe(
      canonicalJson(JSON.parse(JSON.stringify(xmlPacket))),
    );
  });

  it('changes when one character of the payload changes', () => {
    const a = sampleJson(JSON_SAMPLES[0]);
    const b = structuredClone(a);
    (b.payload as { newborn: { name: string } }).newborn.name = '徐小雪';
    expect(packetDigestInput(validator.validate(a)).equals(packetDigestInput(validator.validate(b)))).toBe(
      false,
    );
  });
});
