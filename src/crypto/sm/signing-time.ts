import { GatewayError } from '../../errors.js';
import { derTlv, expectEnd, readTlv } from './der.js';

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/** PKCS #9 signing-time value: UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5652 §11.3). */
export function encodeSigningTime(d: Date): Buffer {
  const digits = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? derTlv(UTC_TIME, Buffer.from(digits.slice(2), 'ascii'))
    : derTlv(GENERALIZED_TIME, Buffer.from(digits, 'ascii'));
}

/** Decode a signing-time value (whole seconds, Z, as DER requires). */
export function decodeSigningTime(der: Buffer): Date {
  const tlv = readTlv(der, 0);
  expectEnd(tlv.end, der.length, 'signing-time');
  const text = der.subarray(tlv.start, tlv.end).toString('ascii');
  const m =
    tlv.tag === UTC_TIME
      ? /^(\d{2})(\d{10})Z$/.exec(text)
      : tlv.tag === GENERALIZED_TIME
        ? /^(\d{4})(\d{10})Z$/.exec(text)
        : null;
  if (!m)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'signing-time is not a UTCTime/GeneralizedTime in Z');
  let year = Number(m[1]);
  if (tlv.tag === UTC_TIME) year += year < 50 ? 2000 : 1900;
  const r = m[2]!;
  const parts = [0, 2, 4, 6, 8].map((i) => Number(r.slice(i, i + 2)));
  const date = new Date(Date.UTC(year, parts[0]! - 1, parts[1], parts[2], parts[3], parts[4]));
  if (
    Number.isNaN(date.getTime()) ||
    date.getUTCMonth() !== parts[0]! - 1 ||
    date.getUTCDate() !== parts[1]
  ) {
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'signing-time is not a valid date');
  }
  return date;
}
