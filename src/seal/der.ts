/**
 * A small DER walker. Signatures in GB/T 38540 and CMS cover the bytes *as received*
 * (DER(SES_SealInfo), DER(TBS_Sign), the signed attributes), so the verifier locates those
 * slices here instead of re-encoding parsed objects — a re-encoding that differed in any
 * detail would turn a genuine seal into a "broken" one. Everything throws `DerError`, which the
 * verifier turns into the `malformed` reason.
 */

/** A structural problem in DER input. */
export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One TLV: its tag byte and where its header and content lie in the source. */
export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly begin: number;
  /** Offset of the first content byte. */
  readonly start: number;
  /** Offset just past the content. */
  readonly end: number;
}

/** DER tag bytes used by the seal structures. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
  CONTEXT_0: 0xa0,
  CONTEXT_1: 0xa1,
} as const;

/** Read the TLV at `offset` (single-byte tag, definite length of at most 4 length bytes). */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used');
  let length = buf[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new DerError('indefinite or oversized length');
    if (start + n > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[start + i]!;
    if (buf[start] === 0 || length < 0x80) throw new DerError('non-minimal length');
    start += n;
  }
  if (start + length > limit) throw new DerError('content runs past its container');
  return { tag, begin: offset, start, end: start + length };
}

/** The one TLV that makes up all of `buf` (trailing bytes are refused). */
export function readWhole(buf: Uint8Array, tag: number): Tlv {
  const tlv = readTlv(buf, 0);
  if (tlv.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}`);
  if (tlv.end !== buf.length) throw new DerError('trailing bytes after the structure');
  return tlv;
}

/** The children of a constructed TLV. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw new DerError('expected a constructed element');
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const child = readTlv(buf, at, parent.end);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The whole encoding (header and content) of a TLV. */
export function slice(buf: Buffer, tlv: Tlv): Buffer {
  return buf.subarray(tlv.begin, tlv.end);
}

/** Child `index` of `parent`, which must carry `tag`. */
export function child(buf: Uint8Array, parent: Tlv, index: number, tag: number): Tlv {
  const c = children(buf, parent)[index];
  if (!c || c.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)} at position ${index}`);
  return c;
}

/**
 * Dotted text of OBJECT IDENTIFIER content octets, with BigInt arithmetic so that UUID arcs
 * (2.25.<128-bit>) come out right.
 */
export function oidText(content: Uint8Array): string {
  if (content.length === 0 || (content[content.length - 1]! & 0x80) !== 0) throw new DerError('bad OID');
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i]!;
    if (value === 0n && byte === 0x80) throw new DerError('non-minimal OID arc');
    value = (value << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    }
  }
  const first = arcs.shift()!;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs].map(String).join('.');
}

/** DER of a TLV with the given tag and content. */
export function encodeTlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
}
