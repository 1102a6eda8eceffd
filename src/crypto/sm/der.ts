import { GatewayError } from '../../errors.js';

/**
 * A minimal, strict DER reader/writer for the small fixed SM2 structures that are parsed on every
 * call (signature `SEQUENCE { r, s }`, GM/T 0009 `SM2Cipher`, EC key containers).
 *
 * Why not a general ASN.1 library here: these paths are hot and security relevant, and strict
 * DER (definite minimal lengths, minimal INTEGERs, no trailing bytes) is what lets us refuse
 * truncated or padded inputs with GW_ERR_CRYPTO_MALFORMED before any curve arithmetic.
 */

/** One parsed TLV: tag byte, and the content's bounds inside the source buffer. */
export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly begin: number;
  /** Offset of the first content byte. */
  readonly start: number;
  /** Offset just past the content. */
  readonly end: number;
}

/** DER tags used by the SM structures. */
export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
} as const;

function malformed(what: string): GatewayError {
  return new GatewayError('GW_ERR_CRYPTO_MALFORMED', `Malformed DER: ${what}`);
}

/** Read one TLV at `offset`, strictly (single-byte tags, minimal definite lengths). */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw malformed('truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw malformed('multi-byte tags are not used here');
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw malformed('indefinite or oversized length');
    if (pos + n > limit) throw malformed('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    if (buf[pos] === 0 || len < 0x80) throw malformed('non-minimal length');
    pos += n;
  }
  if (pos + len > limit) throw malformed('content runs past its container');
  return { tag, begin: offset, start: pos, end: pos + len };
}

/** Read a TLV and require its tag. */
export function expectTlv(buf: Uint8Array, offset: number, tag: number, limit = buf.length): Tlv {
  const tlv = readTlv(buf, offset, limit);
  if (tlv.tag !== tag) throw malformed(`expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/** Decode a DER INTEGER's content that must be non-negative and minimally encoded. */
export function readUnsigned(buf: Uint8Array, tlv: Tlv): bigint {
  const len = tlv.end - tlv.start;
  if (len === 0) throw malformed('empty INTEGER');
  const first = buf[tlv.start]!;
  if (first & 0x80) throw malformed('negative INTEGER');
  if (len > 1 && first === 0 && (buf[tlv.start + 1]! & 0x80) === 0) throw malformed('non-minimal INTEGER');
  return bytesToBig(buf.subarray(tlv.start, tlv.end));
}

/** Big-endian bytes to a non-negative bigint. */
export function bytesToBig(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

/** A non-negative bigint as exactly `len` big-endian bytes. */
export function bigToBytes(v: bigint, len: number): Buffer {
  const hex = v.toString(16).padStart(len * 2, '0');
  if (hex.length > len * 2) throw new RangeError('integer does not fit');
  return Buffer.from(hex, 'hex');
}

function encodeLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** Encode one TLV. */
export function derTlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

/** Encode a non-negative INTEGER minimally. */
export function derUnsigned(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return derTlv(TAG.INTEGER, bytes);
}

/** Require that a structure ended exactly where its container ends. */
export function expectEnd(pos: number, end: number, what: string): void {
  if (pos !== end) throw malformed(`trailing bytes after ${what}`);
}

/** Sequential strict reader over the elements inside one constructed TLV. */
export class DerReader {
  private pos: number;
  private readonly end: number;

  /** Read the content of `tlv` (or of the whole buffer when `tlv` is absent). */
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
    tlv?: Tlv,
  ) {
    this.pos = tlv ? tlv.start : 0;
    this.end = tlv ? tlv.end : buf.length;
  }

  /** Tag of the next element, or undefined at the end. */
  peek(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  /** The next element, which must have `tag` when given. */
  next(tag?: number): Tlv {
    if (this.pos >= this.end) throw malformed(`${this.what} ends early`);
    const tlv =
      tag === undefined
        ? readTlv(this.buf, this.pos, this.end)
        : expectTlv(this.buf, this.pos, tag, this.end);
    this.pos = tlv.end;
    return tlv;
  }

  /** The next element if it has `tag`, else undefined. */
  optional(tag: number): Tlv | undefined {
    return this.peek() === tag ? this.next(tag) : undefined;
  }

  /** Require that nothing is left. */
  finish(): void {
    expectEnd(this.pos, this.end, this.what);
  }

  /** A reader over the content of one of this reader's elements. */
  enter(tlv: Tlv, what: string = this.what): DerReader {
    return new DerReader(this.buf, what, tlv);
  }

  /** Content bytes of an element. */
  content(tlv: Tlv): Buffer {
    return Buffer.from(this.buf.subarray(tlv.start, tlv.end));
  }

  /** Whole encoding (header and content) of an element. */
  whole(tlv: Tlv): Buffer {
    return Buffer.from(this.buf.subarray(tlv.begin, tlv.end));
  }
}
