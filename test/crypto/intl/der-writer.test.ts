import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import {
  derAlgorithm,
  derOctets,
  derOid,
  derSetOf,
  derSmallInt,
  derTime,
  DER_NULL,
} from '../../../src/crypto/intl/der-writer.js';

const { asn1 } = forge;
const forgeDer = (node: forge.asn1.Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'latin1');

describe('der-writer agrees with node-forge and X.690', () => {
  it('encodes OIDs, including multi-octet arcs', () => {
    for (const oid of [
      '1.2.840.113549.1.9.16.2.47',
      '2.16.840.1.101.3.4.1.46',
      '1.2.156.10197.1.301',
      '2.5.29.14',
    ]) {
      const expected = forgeDer(
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      );
      expect(derOid(oid).toString('hex')).toBe(expected.toString('hex'));
    }
    expect(derOid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
  });

  it('encodes short and long lengths', () => {
    for (const n of [0, 1, 127, 128, 255, 256, 65_535, 65_536, 1 << 20]) {
      const bytes = Buffer.alloc(n, 0x41);
      const expected = forgeDer(
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes.toString('latin1')),
      );
      expect(derOctets(bytes).equals(expected)).toBe(true);
    }
  });

  it('encodes small integers in minimal two’s complement', () => {
    expect(derSmallInt(0).toString('hex')).toBe('020100');
    expect(derSmallInt(16).toString('hex')).toBe('020110');
    expect(derSmallInt(128).toString('hex')).toBe('02020080');
    expect(derSmallInt(256).toString('hex')).toBe('02020100');
  });

  it('sorts SET OF elements by encoding and tags [n] IMPLICIT sets', () => {
    const set = derSetOf([Buffer.from('0403020202', 'hex'), Buffer.from('020101', 'hex')]);
    expect(set.toString('hex')).toBe('3108020101' + '0403020202');
    expect(derSetOf([DER_NULL], 0).toString('hex')).toBe('a0020500');
  });

  it('writes UTCTime until 2049 and GeneralizedTime from 2050 (RFC 5652 §11.3)', () => {
    expect(derTime(new Date('2049-12-31T23:59:59.900Z')).toString('latin1').slice(2)).toBe('491231235959Z');
    expect(derTime(new Date('2050-01-01T00:00:00Z')).toString('latin1').slice(2)).toBe('20500101000000Z');
    expect(derTime(new Date('2026-11-23T14:20:13Z'))[0]).toBe(0x17);
  });

  it('writes AlgorithmIdentifiers with absent or given parameters', () => {
    expect(derAlgorithm('2.16.840.1.101.3.4.2.1').toString('hex')).toBe('300b0609608648016503040201');
    expect(derAlgorithm('1.2.840.113549.1.1.11', DER_NULL).toString('hex')).toBe(
      '300d06092a864886f70d01010b0500',
    );
  });
});
