/**
 * Arithmetic on the SM2 recommended curve (GB/T 32918.5) in BigInt, for the pure-JS backend.
 *
 * y² = x³ + ax + b over F_p with a = p − 3, so doubling uses the a = −3 Jacobian formulas
 * (dbl-2001-b) and additions the add-2007-bl / madd-2007-bl formulas from the Explicit-Formulas
 * Database. Not constant-time: BigInt cannot be. This backend exists for hosts where the native
 * addon cannot be built; the native (OpenSSL) backend is the one to run in production.
 */

/** Field prime p. */
export const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
/** Coefficient a (= p − 3). */
export const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
/** Coefficient b. */
export const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
/** Group order n. */
export const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
/** Base point G, x. */
export const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
/** Base point G, y. */
export const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

/** An affine point. */
export interface AffinePoint {
  readonly x: bigint;
  readonly y: bigint;
}

/** A Jacobian point (x/z², y/z³); z = 0 is the point at infinity. */
interface JPoint {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: bigint;
}

const INFINITY: JPoint = { x: 1n, y: 1n, z: 0n };

/** x mod m, in [0, m). */
export function mod(x: bigint, m: bigint = P): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** Modular inverse (extended Euclid); throws on a non-invertible input. */
export function invert(a: bigint, m: bigint = P): bigint {
  let r0 = m;
  let r1 = mod(a, m);
  let t0 = 0n;
  let t1 = 1n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1n) throw new RangeError('value is not invertible');
  return t0 < 0n ? t0 + m : t0;
}

/** True when (x, y) is an affine point of the curve with canonical coordinates. */
export function isOnCurve(pt: AffinePoint): boolean {
  const { x, y } = pt;
  if (x < 0n || x >= P || y < 0n || y >= P) return false;
  return mod(y * y - (x * x * x + A * x + B)) === 0n;
}

function double(p: JPoint): JPoint {
  if (p.z === 0n || p.y === 0n) return INFINITY;
  const delta = mod(p.z * p.z);
  const gamma = mod(p.y * p.y);
  const beta = mod(p.x * gamma);
  const alpha = mod(3n * (p.x - delta) * (p.x + delta));
  const x3 = mod(alpha * alpha - 8n * beta);
  const z3 = mod((p.y + p.z) * (p.y + p.z) - gamma - delta);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma);
  return { x: x3, y: y3, z: z3 };
}

/** p + q with q affine (z = 1). */
function addMixed(p: JPoint, q: AffinePoint): JPoint {
  if (p.z === 0n) return { x: q.x, y: q.y, z: 1n };
  const z1z1 = mod(p.z * p.z);
  const u2 = mod(q.x * z1z1);
  const s2 = mod(q.y * p.z * z1z1);
  const h = mod(u2 - p.x);
  const r = mod(2n * (s2 - p.y));
  if (h === 0n) return r === 0n ? double(p) : INFINITY;
  const hh = mod(h * h);
  const i = 4n * hh;
  const j = mod(h * i);
  const v = mod(p.x * i);
  const x3 = mod(r * r - j - 2n * v);
  const y3 = mod(r * (v - x3) - 2n * p.y * j);
  const z3 = mod((p.z + h) * (p.z + h) - z1z1 - hh);
  return { x: x3, y: y3, z: z3 };
}

function add(p: JPoint, q: JPoint): JPoint {
  if (p.z === 0n) return q;
  if (q.z === 0n) return p;
  const z1z1 = mod(p.z * p.z);
  const z2z2 = mod(q.z * q.z);
  const u1 = mod(p.x * z2z2);
  const u2 = mod(q.x * z1z1);
  const s1 = mod(p.y * q.z * z2z2);
  const s2 = mod(q.y * p.z * z1z1);
  const h = mod(u2 - u1);
  const r = mod(2n * (s2 - s1));
  if (h === 0n) return r === 0n ? double(p) : INFINITY;
  const i = mod(4n * h * h);
  const j = mod(h * i);
  const v = mod(u1 * i);
  const x3 = mod(r * r - j - 2n * v);
  const y3 = mod(r * (v - x3) - 2n * s1 * j);
  const z3 = mod(((p.z + q.z) * (p.z + q.z) - z1z1 - z2z2) * h);
  return { x: x3, y: y3, z: z3 };
}

function toAffine(p: JPoint): AffinePoint | null {
  if (p.z === 0n) return null;
  const zi = invert(p.z);
  const zi2 = mod(zi * zi);
  return { x: mod(p.x * zi2), y: mod(p.y * zi2 * zi) };
}

/** Many Jacobian points to affine with one inversion (Montgomery's trick). */
function batchToAffine(pts: readonly JPoint[]): AffinePoint[] {
  const prefix: bigint[] = new Array<bigint>(pts.length);
  let acc = 1n;
  for (let i = 0; i < pts.length; i++) {
    prefix[i] = acc;
    acc = mod(acc * pts[i]!.z);
  }
  let inv = invert(acc);
  const out: AffinePoint[] = new Array<AffinePoint>(pts.length);
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    const zi = mod(inv * prefix[i]!);
    inv = mod(inv * p.z);
    const zi2 = mod(zi * zi);
    out[i] = { x: mod(p.x * zi2), y: mod(p.y * zi2 * zi) };
  }
  return out;
}

// Fixed-base comb for G: TABLE[i][j-1] = j·2^(W·i)·G, so k·G is 256/W mixed additions, no doublings.
const W = 6;
const WINDOWS = Math.ceil(256 / W);
let gTable: AffinePoint[][] | undefined;

function baseTable(): AffinePoint[][] {
  if (gTable) return gTable;
  const rows: JPoint[] = [];
  let base: JPoint = { x: GX, y: GY, z: 1n };
  for (let i = 0; i < WINDOWS; i++) {
    let acc = base;
    for (let j = 1; j < 1 << W; j++) {
      rows.push(acc);
      acc = add(acc, base);
    }
    base = acc; // (2^W)·base
  }
  const flat = batchToAffine(rows);
  const per = (1 << W) - 1;
  gTable = Array.from({ length: WINDOWS }, (_, i) => flat.slice(i * per, (i + 1) * per));
  return gTable;
}

function mulBaseJ(k: bigint): JPoint {
  const table = baseTable();
  const mask = BigInt((1 << W) - 1);
  let acc = INFINITY;
  let e = k;
  for (let i = 0; i < WINDOWS && e > 0n; i++) {
    const digit = Number(e & mask);
    if (digit !== 0) acc = addMixed(acc, table[i]![digit - 1]!);
    e >>= BigInt(W);
  }
  return acc;
}

/** Variable-base k·Q with a width-5 window of odd multiples (wNAF). */
function mulJ(q: AffinePoint, k: bigint): JPoint {
  const width = 5;
  const odd: JPoint[] = [{ x: q.x, y: q.y, z: 1n }];
  const twice = double(odd[0]!);
  for (let i = 1; i < 1 << (width - 2); i++) odd.push(add(odd[i - 1]!, twice));
  const oddAffine = batchToAffine(odd);
  const digits: number[] = [];
  let e = k;
  const full = BigInt(1 << width);
  while (e > 0n) {
    let d = 0;
    if (e & 1n) {
      d = Number(e % full);
      if (d >= 1 << (width - 1)) d -= 1 << width;
      e -= BigInt(d);
    }
    digits.push(d);
    e >>= 1n;
  }
  let acc = INFINITY;
  for (let i = digits.length - 1; i >= 0; i--) {
    acc = double(acc);
    const d = digits[i]!;
    if (d > 0) acc = addMixed(acc, oddAffine[(d - 1) >> 1]!);
    else if (d < 0) {
      const pt = oddAffine[(-d - 1) >> 1]!;
      acc = addMixed(acc, { x: pt.x, y: mod(-pt.y) });
    }
  }
  return acc;
}

/** k·G (null for the point at infinity). */
export function mulBase(k: bigint): AffinePoint | null {
  return toAffine(mulBaseJ(mod(k, N)));
}

/** k·Q (null for the point at infinity). */
export function mul(q: AffinePoint, k: bigint): AffinePoint | null {
  return toAffine(mulJ(q, mod(k, N)));
}

/** s·G + t·Q, for signature verification. */
export function mulBaseAdd(s: bigint, q: AffinePoint, t: bigint): AffinePoint | null {
  return toAffine(add(mulBaseJ(mod(s, N)), mulJ(q, mod(t, N))));
}
