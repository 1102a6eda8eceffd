import { GatewayError } from '../../errors.js';
import {
  bigToBytes,
  bytesToBig,
  derTlv,
  derUnsigned,
  expectEnd,
  expectTlv,
  readUnsigned,
  TAG,
} from './der.js';
import { isOnCurve, N } from './sm2-curve.js';
import type { RawCiphertext, RawSignature } from './sm2-js.js';

/**
 * The two SM2 wire structures (GM/T 0009):
 *   signature  SEQUENCE { r INTEGER, s INTEGER }
 *   SM2Cipher  SEQUENCE { x INTEGER, y INTEGER, hash OCTET STRING (32), ciphertext OCTET STRING }
 * Parsing is strict and classifies refusals: structure → GW_ERR_CRYPTO_MALFORMED, r/s outside
 * [1, n−1] → GW_ERR_CRYPTO_SIGNATURE_RANGE, C1 off the curve → GW_ERR_CRYPTO_INVALID_POINT.
 */

/** DER-encode a signature. */
export function encodeSignature(sig: RawSignature): Buffer {
  return derTlv(TAG.SEQUENCE, derUnsigned(sig.r), derUnsigned(sig.s));
}

/** Parse and range-check a DER signature. */
export function parseSignature(der: Uint8Array): RawSignature {
  const seq = expectTlv(der, 0, TAG.SEQUENCE);
  expectEnd(seq.end, der.length, 'signature');
  const rTlv = expectTlv(der, seq.start, TAG.INTEGER, seq.end);
  const sTlv = expectTlv(der, rTlv.end, TAG.INTEGER, seq.end);
  expectEnd(sTlv.end, seq.end, 'signature');
  const r = readUnsigned(der, rTlv);
  const s = readUnsigned(der, sTlv);
  if (r < 1n || r >= N || s < 1n || s >= N) throw new GatewayError('GW_ERR_CRYPTO_SIGNATURE_RANGE');
  return { r, s };
}

/** DER-encode C1C3C2 as GM/T 0009 SM2Cipher. */
export function encodeCiphertext(c: RawCiphertext): Buffer {
  return derTlv(
    TAG.SEQUENCE,
    derUnsigned(c.x),
    derUnsigned(c.y),
    derTlv(TAG.OCTET_STRING, c.hash),
    derTlv(TAG.OCTET_STRING, c.ciphertext),
  );
}

/** Parse a GM/T 0009 SM2Cipher and check that C1 is a curve point. */
export function parseCiphertext(der: Uint8Array): RawCiphertext {
  const seq = expectTlv(der, 0, TAG.SEQUENCE);
  expectEnd(seq.end, der.length, 'SM2Cipher');
  const xTlv = expectTlv(der, seq.start, TAG.INTEGER, seq.end);
  const yTlv = expectTlv(der, xTlv.end, TAG.INTEGER, seq.end);
  const hTlv = expectTlv(der, yTlv.end, TAG.OCTET_STRING, seq.end);
  const cTlv = expectTlv(der, hTlv.end, TAG.OCTET_STRING, seq.end);
  expectEnd(cTlv.end, seq.end, 'SM2Cipher');
  if (hTlv.end - hTlv.start !== 32)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'SM2Cipher hash must be 32 bytes');
  if (cTlv.end === cTlv.start)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'SM2Cipher ciphertext is empty');
  const c: RawCiphertext = {
    x: readUnsigned(der, xTlv),
    y: readUnsigned(der, yTlv),
    hash: Buffer.from(der.subarray(hTlv.start, hTlv.end)),
    ciphertext: Buffer.from(der.subarray(cTlv.start, cTlv.end)),
  };
  if (!isOnCurve(c))
    throw new GatewayError('GW_ERR_CRYPTO_INVALID_POINT', 'SM2 ciphertext point C1 is not on the curve');
  return c;
}

/**
 * GM/T 0009 DER ciphertext from the raw concatenation C1 ‖ C3 ‖ C2, where C1 is 04 ‖ x ‖ y or
 * (as sm-crypto-v2 writes it) just x ‖ y.
 */
export function sm2CiphertextFromRaw(raw: Uint8Array): Buffer {
  const at = (off: number): RawCiphertext | undefined => {
    if (raw.length < off + 64 + 32 + 1) return undefined;
    const c: RawCiphertext = {
      x: bytesToBig(raw.subarray(off, off + 32)),
      y: bytesToBig(raw.subarray(off + 32, off + 64)),
      hash: Buffer.from(raw.subarray(off + 64, off + 96)),
      ciphertext: Buffer.from(raw.subarray(off + 96)),
    };
    return isOnCurve(c) ? c : undefined;
  };
  // A leading 04 is ambiguous with an x that starts with byte 04; only one reading gives a curve
  // point (except with negligible probability), so try the prefixed reading first.
  const c = (raw[0] === 0x04 ? at(1) : undefined) ?? at(0);
  if (!c) {
    if (raw.length < 64 + 32 + 1)
      throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Raw SM2 ciphertext too short');
    throw new GatewayError('GW_ERR_CRYPTO_INVALID_POINT', 'SM2 ciphertext point C1 is not on the curve');
  }
  return encodeCiphertext(c);
}

/** The raw concatenation 04 ‖ x ‖ y ‖ C3 ‖ C2 of a GM/T 0009 DER ciphertext. */
export function sm2CiphertextToRaw(der: Uint8Array): Buffer {
  const c = parseCiphertext(der);
  return Buffer.concat([Buffer.from([4]), bigToBytes(c.x, 32), bigToBytes(c.y, 32), c.hash, c.ciphertext]);
}

/** DER signature from the 64-byte r ‖ s form. */
export function sm2SignatureFromRaw(rs: Uint8Array): Buffer {
  if (rs.length !== 64)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Raw SM2 signature must be 64 bytes');
  const sig = { r: bytesToBig(rs.subarray(0, 32)), s: bytesToBig(rs.subarray(32)) };
  if (sig.r < 1n || sig.r >= N || sig.s < 1n || sig.s >= N)
    throw new GatewayError('GW_ERR_CRYPTO_SIGNATURE_RANGE');
  return encodeSignature(sig);
}

/** The 64-byte r ‖ s form of a DER signature. */
export function sm2SignatureToRaw(der: Uint8Array): Buffer {
  const sig = parseSignature(der);
  return Buffer.concat([bigToBytes(sig.r, 32), bigToBytes(sig.s, 32)]);
}
