import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  A,
  B,
  GX,
  GY,
  N,
  invert,
  isOnCurve,
  mod,
  mul,
  mulBase,
  mulBaseAdd,
  type AffinePoint,
} from './sm2-curve.js';
import { bigToBytes, bytesToBig } from './der.js';

/**
 * SM2 signature (GB/T 32918.2) and public-key encryption (GB/T 32918.4) over BigInt, the pure-JS
 * backend's core. Inputs are raw numbers and points; KeyObject handling and DER live elsewhere.
 *
 * Every function that draws a random k accepts an optional `nonceForTest`. It exists only so that
 * tests can reproduce the fixed-k vectors of GB/T 32918 Annex A and C; production code never
 * passes it (the public API in sm2.ts has no way to).
 */

/** Source of k; test-only hook (see module comment). */
export type NonceForTest = () => bigint;

/** Raw SM2 signature. */
export interface RawSignature {
  readonly r: bigint;
  readonly s: bigint;
}

/** Raw SM2 ciphertext parts, C1 = (x, y), C3 = hash, C2 = ciphertext. */
export interface RawCiphertext {
  readonly x: bigint;
  readonly y: bigint;
  readonly hash: Buffer;
  readonly ciphertext: Buffer;
}

/** SM3 of the concatenation of `parts` (GB/T 32905; Node's OpenSSL provides it). */
export function sm3(...parts: Uint8Array[]): Buffer {
  const h = createHash('sm3');
  for (const p of parts) h.update(p);
  return h.digest();
}

const CURVE_PARAMS = Buffer.concat([A, B, GX, GY].map((v) => bigToBytes(v, 32)));

/** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) (GB/T 32918.2 §5.5). */
export function computeZ(id: Uint8Array, pub: AffinePoint): Buffer {
  const bits = id.length * 8;
  if (bits > 0xffff) throw new RangeError('SM2 ID too long');
  const entl = Buffer.from([bits >> 8, bits & 0xff]);
  return sm3(entl, id, CURVE_PARAMS, bigToBytes(pub.x, 32), bigToBytes(pub.y, 32));
}

function randomScalar(): bigint {
  // 64 random bytes reduced mod n−1 leave a bias below 2^-256.
  return mod(bytesToBig(randomBytes(64)), N - 1n) + 1n;
}

/** Sign `message` (not pre-hashed) with private scalar `d`; `pub` = d·G. */
export function signRaw(
  d: bigint,
  pub: AffinePoint,
  message: Uint8Array,
  id: Uint8Array,
  nonceForTest?: NonceForTest,
): RawSignature {
  const e = bytesToBig(sm3(computeZ(id, pub), message));
  const dInv = invert(1n + d, N);
  for (;;) {
    const k = nonceForTest ? nonceForTest() : randomScalar();
    const p1 = mulBase(k);
    if (!p1) continue;
    const r = mod(e + p1.x, N);
    if (r === 0n || r + k === N) continue;
    const s = mod(dInv * (k - r * d), N);
    if (s === 0n) continue;
    return { r, s };
  }
}

/** Verify a raw signature; false for anything out of range or not matching. */
export function verifyRaw(pub: AffinePoint, message: Uint8Array, id: Uint8Array, sig: RawSignature): boolean {
  const { r, s } = sig;
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const e = bytesToBig(sm3(computeZ(id, pub), message));
  const p1 = mulBaseAdd(s, pub, t);
  if (!p1) return false;
  return mod(e + p1.x, N) === r;
}

/** KDF of GB/T 32918.4 §5.4.3 with SM3: Ha(Z ‖ ct) for ct = 1, 2, …, truncated to `len`. */
export function kdf(z: Uint8Array, len: number): Buffer {
  const out = Buffer.alloc(len);
  const ct = Buffer.alloc(4);
  for (let off = 0, i = 1; off < len; off += 32, i++) {
    ct.writeUInt32BE(i);
    sm3(z, ct).copy(out, off, 0, Math.min(32, len - off));
  }
  return out;
}

function allZero(b: Uint8Array): boolean {
  let acc = 0;
  for (const v of b) acc |= v;
  return acc === 0;
}

/** Encrypt `message` for public point `pub` (C1C3C2 parts). */
export function encryptRaw(
  pub: AffinePoint,
  message: Uint8Array,
  nonceForTest?: NonceForTest,
): RawCiphertext {
  for (;;) {
    const k = nonceForTest ? nonceForTest() : randomScalar();
    const c1 = mulBase(k);
    const s2 = mul(pub, k);
    if (!c1 || !s2) continue;
    const x2 = bigToBytes(s2.x, 32);
    const y2 = bigToBytes(s2.y, 32);
    const t = kdf(Buffer.concat([x2, y2]), message.length);
    if (message.length > 0 && allZero(t)) continue;
    const c2 = Buffer.alloc(message.length);
    for (let i = 0; i < message.length; i++) c2[i] = message[i]! ^ t[i]!;
    return { x: c1.x, y: c1.y, hash: sm3(x2, message, y2), ciphertext: c2 };
  }
}

/** Decrypt; null when C1 is not on the curve, the KDF output is zero, or C3 does not match. */
export function decryptRaw(d: bigint, c: RawCiphertext): Buffer | null {
  const c1 = { x: c.x, y: c.y };
  if (!isOnCurve(c1) || c.hash.length !== 32) return null;
  const s2 = mul(c1, d);
  if (!s2) return null;
  const x2 = bigToBytes(s2.x, 32);
  const y2 = bigToBytes(s2.y, 32);
  const t = kdf(Buffer.concat([x2, y2]), c.ciphertext.length);
  if (c.ciphertext.length > 0 && allZero(t)) return null;
  const m = Buffer.alloc(c.ciphertext.length);
  for (let i = 0; i < m.length; i++) m[i] = c.ciphertext[i]! ^ t[i]!;
  return timingSafeEqual(sm3(x2, m, y2), c.hash) ? m : null;
}

/** Public point d·G for a private scalar. */
export function publicPointOf(d: bigint): AffinePoint {
  const p = mulBase(d);
  if (!p) throw new RangeError('invalid private scalar');
  return p;
}
