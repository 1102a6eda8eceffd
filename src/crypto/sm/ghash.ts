/**
 * GHASH (NIST SP 800-38D §6.4) for SM4-GCM, which Node's OpenSSL 3.0 does not offer.
 *
 * 4-bit table method (Shoup), as in mbed TLS's gcm.c, with each 128-bit value held as four
 * 32-bit words (w0 most significant) so that V8 stays on small-integer arithmetic.
 */

// Reduction constants for the 4 bits shifted out per step (mbed TLS `last4`).
const LAST4 = [
  0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0, 0xe100, 0xfd20, 0xd940, 0xc560, 0x9180,
  0x8da0, 0xa9c0, 0xb5e0,
];
const LAST4_SHIFTED = new Uint32Array(LAST4.map((v) => v << 16));

/** An incremental GHASH under one hash subkey H. */
export class Ghash {
  private readonly table = new Uint32Array(64);
  private y0 = 0;
  private y1 = 0;
  private y2 = 0;
  private y3 = 0;

  /** @param h the hash subkey E_K(0¹²⁸), 16 bytes. */
  constructor(h: Uint8Array) {
    const t = this.table;
    let w0 = readWord(h, 0);
    let w1 = readWord(h, 4);
    let w2 = readWord(h, 8);
    let w3 = readWord(h, 12);
    t.set([w0, w1, w2, w3], 8 * 4);
    for (let i = 4; i > 0; i >>= 1) {
      const lsb = w3 & 1;
      w3 = (w3 >>> 1) | (w2 << 31);
      w2 = (w2 >>> 1) | (w1 << 31);
      w1 = (w1 >>> 1) | (w0 << 31);
      w0 = (w0 >>> 1) ^ (lsb ? 0xe1000000 : 0);
      t.set([w0, w1, w2, w3], i * 4);
    }
    for (let i = 2; i <= 8; i *= 2) {
      for (let j = 1; j < i; j++) {
        for (let k = 0; k < 4; k++) t[(i + j) * 4 + k] = t[i * 4 + k]! ^ t[j * 4 + k]!;
      }
    }
  }

  /** Absorb `data`, zero-padded to a whole number of blocks (as GCM pads A and C). */
  update(data: Uint8Array): this {
    const full = data.length - (data.length % 16);
    for (let off = 0; off < full; off += 16) this.block(data, off);
    if (full < data.length) {
      const last = new Uint8Array(16);
      last.set(data.subarray(full));
      this.block(last, 0);
    }
    return this;
  }

  /** The current value Y, 16 bytes. */
  digest(): Buffer {
    const out = Buffer.alloc(16);
    out.writeUInt32BE(this.y0 >>> 0, 0);
    out.writeUInt32BE(this.y1 >>> 0, 4);
    out.writeUInt32BE(this.y2 >>> 0, 8);
    out.writeUInt32BE(this.y3 >>> 0, 12);
    return out;
  }

  /** Y = (Y ⊕ X) · H for the block at `off`. */
  private block(x: Uint8Array, off: number): void {
    const t = this.table;
    const w3 = this.y3 ^ readWord(x, off + 12);
    const w2 = this.y2 ^ readWord(x, off + 8);
    const w1 = this.y1 ^ readWord(x, off + 4);
    const w0 = this.y0 ^ readWord(x, off);
    // First nibble: no shift before it.
    let e = (w3 & 0xf) * 4;
    let z0 = t[e]!;
    let z1 = t[e + 1]!;
    let z2 = t[e + 2]!;
    let z3 = t[e + 3]!;
    // Then the remaining 31 nibbles, least significant first (byte 15 low, byte 15 high, …).
    for (let k = 1; k < 32; k++) {
      const w = k < 8 ? w3 : k < 16 ? w2 : k < 24 ? w1 : w0;
      const rem = z3 & 0xf;
      z3 = (z3 >>> 4) | (z2 << 28);
      z2 = (z2 >>> 4) | (z1 << 28);
      z1 = (z1 >>> 4) | (z0 << 28);
      z0 = (z0 >>> 4) ^ LAST4_SHIFTED[rem]!;
      e = ((w >>> ((k & 7) * 4)) & 0xf) * 4;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
    }
    this.y0 = z0;
    this.y1 = z1;
    this.y2 = z2;
    this.y3 = z3;
  }
}

function readWord(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}
