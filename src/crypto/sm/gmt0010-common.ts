import { GatewayError } from '../../errors.js';
import { DerReader, derTlv, TAG } from './der.js';
import { decodeOid, encodeOid } from './oids.js';
import type { Sm2CertInfo } from './sm2-cert-info.js';

/**
 * Shared DER pieces of the GM/T 0010 codecs.
 *
 * Why hand-written DER rather than @peculiar/asn1-cms here: measured, the library's
 * serialize/parse of a SignedData with a 4 KiB packet cost ~2 ms, several times the SM2
 * operation itself, and it re-encodes embedded certificates instead of carrying their exact
 * bytes. The structures are small and fixed, so they are written and read directly with the
 * strict reader in der.ts (every deviation is GW_ERR_CRYPTO_MALFORMED). Certificates are still
 * parsed with @peculiar/asn1-x509 (once each, cached).
 */

/** [0] EXPLICIT / IMPLICIT constructed context tag. */
export const CTX0 = 0xa0;
/** [1] constructed context tag. */
export const CTX1 = 0xa1;
/** [0] IMPLICIT primitive context tag (e.g. OCTET STRING, subjectKeyIdentifier). */
export const CTX0_PRIMITIVE = 0x80;
/** SET / SET OF. */
export const SET = 0x31;

/** ContentInfo { contentType, [0] EXPLICIT content }. */
export function encodeContentInfo(contentType: string, content: Buffer): Buffer {
  return derTlv(TAG.SEQUENCE, encodeOid(contentType), derTlv(CTX0, content));
}

/** A reader over the SEQUENCE inside a ContentInfo of the required type. */
export function openContentInfo(der: Buffer, contentType: string, what: string): DerReader {
  const top = new DerReader(der, what);
  const seq = top.next(TAG.SEQUENCE);
  top.finish();
  const ci = top.enter(seq);
  const type = ci.next(TAG.OID);
  if (!ci.whole(type).equals(encodeOid(contentType))) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      `${what}: content type ${decodeOid(ci.content(type))}, expected ${contentType}`,
    );
  }
  const wrapper = ci.next(CTX0);
  ci.finish();
  const inner = ci.enter(wrapper);
  const body = inner.next(TAG.SEQUENCE);
  inner.finish();
  return inner.enter(body);
}

/** AlgorithmIdentifier { algorithm, parameters OPTIONAL } with no or NULL parameters. */
export function encodeAlgorithm(oid: string, params?: Buffer): Buffer {
  return params ? derTlv(TAG.SEQUENCE, encodeOid(oid), params) : derTlv(TAG.SEQUENCE, encodeOid(oid));
}

/** A parsed AlgorithmIdentifier. */
export interface AlgorithmId {
  /** Dotted OID. */
  readonly oid: string;
  /** Whole DER of the parameters, when present. */
  readonly params?: Buffer;
}

/** Read an AlgorithmIdentifier element. */
export function readAlgorithm(r: DerReader, what: string): AlgorithmId {
  const inner = r.enter(r.next(TAG.SEQUENCE), what);
  const oid = decodeOid(inner.content(inner.next(TAG.OID)));
  const p = inner.peek() === undefined ? undefined : inner.next();
  inner.finish();
  return p ? { oid, params: inner.whole(p) } : { oid };
}

/** A reference to a certificate in SignerInfo.sid / KeyTransRecipientInfo.rid. */
export type CertRef = { readonly issuerAndSerial: Buffer } | { readonly subjectKeyId: Buffer };

/** IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }. */
export function encodeIssuerAndSerial(cert: Sm2CertInfo): Buffer {
  return derTlv(TAG.SEQUENCE, cert.issuerDer, derTlv(TAG.INTEGER, cert.serialNumber));
}

/** Read a sid/rid: IssuerAndSerialNumber, or [0] SubjectKeyIdentifier. */
export function readCertRef(r: DerReader): CertRef {
  if (r.peek() === CTX0_PRIMITIVE) return { subjectKeyId: r.content(r.next(CTX0_PRIMITIVE)) };
  return { issuerAndSerial: r.whole(r.next(TAG.SEQUENCE)) };
}

/** Whether `ref` names `cert`. */
export function refersTo(ref: CertRef, cert: Sm2CertInfo): boolean {
  if ('subjectKeyId' in ref)
    return cert.subjectKeyId !== undefined && ref.subjectKeyId.equals(cert.subjectKeyId);
  return ref.issuerAndSerial.equals(encodeIssuerAndSerial(cert));
}
