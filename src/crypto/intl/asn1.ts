/**
 * Thin, strict layer over node-forge's ASN.1 parser: Buffers in, and readers that throw
 * `GW_ERR_CRYPTO_MALFORMED` with a message of ours (never forge's internals, which would tell
 * a remote party how our parser works). Encoding new structures is `der-writer.ts`.
 */
import forge from 'node-forge';
import { GatewayError } from '../../errors.js';

/** One parsed ASN.1 element (node-forge's representation). */
export type Asn1Node = forge.asn1.Asn1;

const { Class, Type } = forge.asn1;

// forge's typings only admit a boolean; the runtime takes an options object. We turn off
// BIT STRING content decoding so every value stays exactly the bytes that were received.
type FromDerWithOptions = (
  bytes: string,
  options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean; maxDepth: number },
) => Asn1Node;
const fromDer = forge.asn1.fromDer as unknown as FromDerWithOptions;

/** A `GW_ERR_CRYPTO_MALFORMED` error naming the part that was wrong (our words only). */
export function malformed(what: string): GatewayError {
  return new GatewayError('GW_ERR_CRYPTO_MALFORMED', `Malformed CMS structure: ${what}`);
}

/** Parse one complete DER/BER element; trailing bytes are refused. */
export function parseDer(der: Buffer, what: string): Asn1Node {
  try {
    return fromDer(der.toString('latin1'), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
      maxDepth: 64,
    });
  } catch {
    throw malformed(`${what} is not valid DER`);
  }
}

/** DER encoding of a node. */
export function encodeDer(node: Asn1Node): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'latin1');
}

// ---------------------------------------------------------------- readers

function isUniversal(node: Asn1Node, type: number): boolean {
  return node.tagClass === Class.UNIVERSAL && node.type === type;
}

function constructedChildren(node: Asn1Node, what: string): Asn1Node[] {
  if (!node.constructed || !Array.isArray(node.value)) throw malformed(`${what} must be constructed`);
  return node.value;
}

function primitiveBytes(node: Asn1Node, what: string): Buffer {
  if (node.constructed || typeof node.value !== 'string') throw malformed(`${what} must be primitive`);
  return Buffer.from(node.value, 'latin1');
}

/** Children of a SEQUENCE, with a count check. */
export function readSequence(node: Asn1Node | undefined, what: string, min = 0, max = Infinity): Asn1Node[] {
  if (!node || !isUniversal(node, Type.SEQUENCE)) throw malformed(`${what} must be a SEQUENCE`);
  const items = constructedChildren(node, what);
  if (items.length < min || items.length > max) throw malformed(`${what} has a wrong number of fields`);
  return items;
}

/** Children of a SET. */
export function readSet(node: Asn1Node | undefined, what: string, min = 0): Asn1Node[] {
  if (!node || !isUniversal(node, Type.SET)) throw malformed(`${what} must be a SET`);
  const items = constructedChildren(node, what);
  if (items.length < min) throw malformed(`${what} is empty`);
  return items;
}

/** Dotted OID text of an OBJECT IDENTIFIER. */
export function readOid(node: Asn1Node | undefined, what: string): string {
  if (!node || !isUniversal(node, Type.OID)) throw malformed(`${what} must be an OBJECT IDENTIFIER`);
  const bytes = primitiveBytes(node, what);
  if (bytes.length === 0) throw malformed(`${what} is empty`);
  return forge.asn1.derToOid(bytes.toString('latin1'));
}

/** Content bytes of an INTEGER (two's complement, as encoded). */
export function readIntegerBytes(node: Asn1Node | undefined, what: string): Buffer {
  if (!node || !isUniversal(node, Type.INTEGER)) throw malformed(`${what} must be an INTEGER`);
  const bytes = primitiveBytes(node, what);
  if (bytes.length === 0) throw malformed(`${what} is empty`);
  return bytes;
}

/** A small non-negative INTEGER (versions, lengths). */
export function readSmallInteger(node: Asn1Node | undefined, what: string): number {
  const bytes = readIntegerBytes(node, what);
  if (bytes.length > 4 || (bytes[0] ?? 0) & 0x80) throw malformed(`${what} is out of range`);
  return bytes.readUIntBE(0, bytes.length);
}

/**
 * Content of an OCTET STRING, or of an implicitly tagged one when `implicitTag` is given.
 * BER constructed strings (as `openssl cms -stream` writes them) are joined.
 */
export function readOctets(node: Asn1Node | undefined, what: string, implicitTag?: number): Buffer {
  if (!node) throw malformed(`${what} is missing`);
  const tagOk =
    implicitTag === undefined
      ? isUniversal(node, Type.OCTETSTRING)
      : node.tagClass === Class.CONTEXT_SPECIFIC && node.type === implicitTag;
  if (!tagOk) throw malformed(`${what} must be an OCTET STRING`);
  if (!node.constructed) return primitiveBytes(node, what);
  return Buffer.concat(constructedChildren(node, what).map((part) => readOctets(part, what)));
}

/** Time of a UTCTime or GeneralizedTime. */
export function readTime(node: Asn1Node | undefined, what: string): Date {
  if (!node) throw malformed(`${what} is missing`);
  const text = primitiveBytes(node, what).toString('latin1');
  // RFC 5652 §11.3 / RFC 5280 §4.1.2.5: seconds present, Zulu time.
  const utc = /^\d{12}Z$/;
  const gen = /^\d{14}Z$/;
  let date: Date;
  if (isUniversal(node, Type.UTCTIME) && utc.test(text)) date = forge.asn1.utcTimeToDate(text);
  else if (isUniversal(node, Type.GENERALIZEDTIME) && gen.test(text))
    date = forge.asn1.generalizedTimeToDate(text);
  else throw malformed(`${what} must be a UTCTime or GeneralizedTime`);
  if (Number.isNaN(date.getTime())) throw malformed(`${what} is not a valid time`);
  return date;
}

/** The single child of an EXPLICIT context tag `[tagNo]`. */
export function readExplicit(node: Asn1Node | undefined, tagNo: number, what: string): Asn1Node {
  if (!node || !isContext(node, tagNo) || !node.constructed) throw malformed(`${what} must be [${tagNo}]`);
  const items = constructedChildren(node, what);
  if (items.length !== 1 || !items[0]) throw malformed(`${what} must hold one element`);
  return items[0];
}

/** True when `node` carries context-specific tag `[tagNo]`. */
export function isContext(node: Asn1Node | undefined, tagNo: number): boolean {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && node.type === tagNo;
}

/** True when `node` is a universal SEQUENCE. */
export function isSequence(node: Asn1Node | undefined): boolean {
  return node !== undefined && isUniversal(node, Type.SEQUENCE) && node.constructed;
}

/** True when `node` is an ASN.1 NULL (primitive, empty). */
export function isNull(node: Asn1Node | undefined): boolean {
  return node !== undefined && isUniversal(node, Type.NULL) && !node.constructed && node.value === '';
}

/** The same constructed content re-tagged as a universal SET (for `[0] IMPLICIT SET OF`). */
export function asUniversalSet(node: Asn1Node): Asn1Node {
  return forge.asn1.create(Class.UNIVERSAL, Type.SET, true, node.value);
}
