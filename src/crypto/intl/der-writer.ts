/**
 * DER encoders that work on Buffers (X.690 §8, §10). Building with bytes rather than a node
 * tree lets already-encoded parts — the signer's certificate, an issuer Name — go into a
 * structure verbatim, and avoids re-encoding them on every message (node-forge's `toDer`
 * costs about 90 µs per certificate). Parsing stays in `asn1.ts`.
 */

/** Universal and context tags used by the suite. */
export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One TLV with the given identifier octet and content. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  let length = 0;
  for (const part of content) length += part.length;
  let lengthBytes = 0;
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes++;
  const headerLength = length < 0x80 ? 2 : 2 + lengthBytes;
  // One allocation and one copy of the content: a packet passes through several layers, and
  // small Buffer.from/concat calls dominated the cost of signing.
  const out = Buffer.allocUnsafe(headerLength + length);
  out[0] = tag;
  if (length < 0x80) {
    out[1] = length;
  } else {
    out[1] = 0x80 | lengthBytes;
    for (let i = lengthBytes, rest = length; i >= 1; i--, rest = Math.floor(rest / 256))
      out[1 + i] = rest & 0xff;
  }
  let offset = headerLength;
  for (const part of content) offset += part.copy(out, offset);
  return out;
}

/** SEQUENCE of already-encoded elements. */
export function derSequence(...items: Buffer[]): Buffer {
  return tlv(TAG.SEQUENCE, ...items);
}

/**
 * The content octets of a SET OF: elements sorted by their encodings (X.690 §11.6). Signed
 * attributes must be DER (RFC 5652 §5.4); OpenSSL verifies them in the order received, but
 * verifiers that re-encode would otherwise compute different bytes.
 */
export function sortedSetContent(items: Buffer[]): Buffer {
  return Buffer.concat([...items].sort(Buffer.compare));
}

/** SET OF, or `[tagNo] IMPLICIT SET OF` when a context tag is given. */
export function derSetOf(items: Buffer[], tagNo?: number): Buffer {
  return tlv(tagNo === undefined ? TAG.SET : 0xa0 | tagNo, sortedSetContent(items));
}

const oidCache = new Map<string, Buffer>();

/** OBJECT IDENTIFIER from dotted text (X.690 §8.19). */
export function derOid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const octets: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    octets.push(...chunk);
  }
  const encoded = tlv(TAG.OID, Buffer.from(octets));
  oidCache.set(dotted, encoded);
  return encoded;
}

/** INTEGER from a small non-negative number. */
export function derSmallInt(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

/** INTEGER from its content octets, copied verbatim (e.g. a certificate serial number). */
export function derIntegerBytes(content: Buffer): Buffer {
  return tlv(TAG.INTEGER, content);
}

/** OCTET STRING, or `[tagNo] IMPLICIT OCTET STRING`. */
export function derOctets(bytes: Buffer, tagNo?: number): Buffer {
  return tlv(tagNo === undefined ? TAG.OCTET_STRING : 0x80 | tagNo, bytes);
}

/** `[tagNo] EXPLICIT` wrapper around one encoded element. */
export function derExplicit(tagNo: number, inner: Buffer): Buffer {
  return tlv(0xa0 | tagNo, inner);
}

/** ASN.1 NULL. */
export const DER_NULL = Buffer.from([TAG.NULL, 0x00]);

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5652 §11.3), whole seconds, Zulu. */
export function derTime(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`, 'latin1'))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'latin1'));
}

/** AlgorithmIdentifier with absent parameters, or the given encoded ones. */
export function derAlgorithm(dotted: string, params?: Buffer): Buffer {
  return params ? derSequence(derOid(dotted), params) : derSequence(derOid(dotted));
}
