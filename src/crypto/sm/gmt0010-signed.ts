import { GatewayError } from '../../errors.js';
import type { KeyedIdentity, VerifiedContent } from '../suite.js';
import { derTlv, derUnsigned, readUnsigned, TAG } from './der.js';
import {
  CTX0,
  CTX1,
  SET,
  encodeAlgorithm,
  encodeContentInfo,
  encodeIssuerAndSerial,
  openContentInfo,
  readAlgorithm,
  readCertRef,
  refersTo,
  type CertRef,
} from './gmt0010-common.js';
import { decodeOid, encodeOid, OID } from './oids.js';
import type { Sm2 } from './sm2.js';
import { readSm2Certificate, type Sm2CertInfo } from './sm2-cert-info.js';
import { sm3 } from './sm2-js.js';
import { sm2PublicParts } from './sm2-keys.js';
import { decodeSigningTime, encodeSigningTime } from './signing-time.js';

/**
 * GM/T 0010 SignedData (PKCS #7 / CMS shape with SM OIDs):
 *   ContentInfo { 1.2.156.10197.6.1.4.2.2, [0] SignedData {
 *     version 1, digestAlgorithms { SM3 }, contentInfo { 1.2.156.10197.6.1.4.2.1, [0] OCTET STRING },
 *     certificates [0] { signer certificate }, signerInfos { SignerInfo {
 *       version 1, issuerAndSerialNumber, digestAlgorithm SM3,
 *       authenticatedAttributes [0] { content-type, message-digest (SM3), signing-time },
 *       digestEncryptionAlgorithm SM2-with-SM3 (1.2.156.10197.1.501), encryptedDigest } } } }
 * The signature is standard SM2 (Z over the default ID) of the attributes' DER as a SET OF, as
 * RFC 5652 §5.4 prescribes. Verification also accepts GM/T 0010's SM2-1 (…301.1) signature OID.
 */

const SIGNATURE_OIDS: ReadonlySet<string> = new Set([OID.SM2_WITH_SM3, OID.SM2_SIGN, OID.SM2]);
const GM_DATA_OID = encodeOid(OID.GM_DATA);

function attribute(type: string, valueDer: Buffer): Buffer {
  return derTlv(TAG.SEQUENCE, encodeOid(type), derTlv(SET, valueDer));
}

function checkSignerKey(cert: Sm2CertInfo, signer: KeyedIdentity): void {
  if (!sm2PublicParts(signer.privateKey).spki.equals(sm2PublicParts(cert.publicKey).spki)) {
    throw new GatewayError('GW_ERR_CRYPTO_KEY', "Signer's private key does not match its certificate");
  }
}

/** Build a GM/T 0010 SignedData over `content`, signed by `signer`, with its certificate. */
export async function signGmt0010(
  sm2: Sm2,
  content: Buffer,
  signer: KeyedIdentity,
  now: Date = new Date(),
): Promise<Buffer> {
  const cert = readSm2Certificate(signer.certDer);
  checkSignerKey(cert, signer);
  // DER SET OF: elements in ascending order of their encodings (X.690 §11.6).
  const attrs = [
    attribute(OID.ATTR_CONTENT_TYPE, GM_DATA_OID),
    attribute(OID.ATTR_MESSAGE_DIGEST, derTlv(TAG.OCTET_STRING, sm3(content))),
    attribute(OID.ATTR_SIGNING_TIME, encodeSigningTime(now)),
  ].sort(Buffer.compare);
  const signature = await sm2.signAsync(derTlv(SET, ...attrs), signer.privateKey);

  const sm3Alg = encodeAlgorithm(OID.SM3);
  const signerInfo = derTlv(
    TAG.SEQUENCE,
    derUnsigned(1n),
    encodeIssuerAndSerial(cert),
    sm3Alg,
    derTlv(CTX0, ...attrs),
    encodeAlgorithm(OID.SM2_WITH_SM3),
    derTlv(TAG.OCTET_STRING, signature),
  );
  const signedData = derTlv(
    TAG.SEQUENCE,
    derUnsigned(1n),
    derTlv(SET, sm3Alg),
    derTlv(TAG.SEQUENCE, GM_DATA_OID, derTlv(CTX0, derTlv(TAG.OCTET_STRING, content))),
    derTlv(CTX0, cert.der),
    derTlv(SET, signerInfo),
  );
  return encodeContentInfo(OID.GM_SIGNED_DATA, signedData);
}

/** What the parser extracts from a SignedData. */
interface ParsedSignedData {
  readonly content: Buffer;
  readonly certificates: Buffer[];
  readonly sid: CertRef;
  /** The [0] attributes re-tagged as SET (0x31): the bytes that were signed. */
  readonly signedAttrs: Buffer;
  readonly attrs: Map<string, Buffer[]>;
  readonly signature: Buffer;
}

function parseSignedData(der: Buffer): ParsedSignedData {
  const sd = openContentInfo(der, OID.GM_SIGNED_DATA, 'SignedData');
  const version = readUnsigned(der, sd.next(TAG.INTEGER));
  if (version > 5n) throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Unknown SignedData version');
  sd.next(SET); // digestAlgorithms: the SignerInfo's own digestAlgorithm is what is checked
  const eci = sd.enter(sd.next(TAG.SEQUENCE), 'contentInfo');
  const eType = eci.next(TAG.OID);
  if (!eci.whole(eType).equals(GM_DATA_OID)) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      `Content type ${decodeOid(eci.content(eType))} is not GM/T 0010 data`,
    );
  }
  const eWrap = eci.optional(CTX0);
  if (!eWrap) throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'SignedData has no attached content');
  eci.finish();
  const eContent = eci.enter(eWrap, 'content');
  const content = eContent.content(eContent.next(TAG.OCTET_STRING));
  eContent.finish();

  const certificates: Buffer[] = [];
  const certSet = sd.optional(CTX0);
  if (certSet) {
    const cr = sd.enter(certSet, 'certificates');
    while (cr.peek() !== undefined) {
      const c = cr.next();
      if (c.tag === TAG.SEQUENCE) certificates.push(cr.whole(c)); // other CertificateChoices are skipped
    }
  }
  sd.optional(CTX1); // crls
  const infos = sd.enter(sd.next(SET), 'signerInfos');
  sd.finish();
  const si = infos.enter(infos.next(TAG.SEQUENCE), 'SignerInfo');
  if (infos.peek() !== undefined)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Exactly one SignerInfo is expected');

  si.next(TAG.INTEGER);
  const sid = readCertRef(si);
  const digestAlg = readAlgorithm(si, 'digestAlgorithm');
  if (digestAlg.oid !== OID.SM3)
    throw new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', `Digest ${digestAlg.oid} is not SM3`);
  const attrsTlv = si.optional(CTX0);
  if (!attrsTlv) throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Signed attributes are required');
  const sigAlg = readAlgorithm(si, 'signatureAlgorithm');
  if (!SIGNATURE_OIDS.has(sigAlg.oid))
    throw new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', `Signature ${sigAlg.oid} is not SM2`);
  const signature = si.content(si.next(TAG.OCTET_STRING));
  si.optional(CTX1); // unsigned attributes
  si.finish();

  const attrs = new Map<string, Buffer[]>();
  const ar = si.enter(attrsTlv, 'signed attributes');
  while (ar.peek() !== undefined) {
    const a = ar.enter(ar.next(TAG.SEQUENCE), 'Attribute');
    const type = decodeOid(a.content(a.next(TAG.OID)));
    const values = a.enter(a.next(SET), 'attribute values');
    a.finish();
    const list: Buffer[] = [];
    while (values.peek() !== undefined) list.push(values.whole(values.next()));
    if (attrs.has(type) || list.length !== 1) {
      throw new GatewayError(
        'GW_ERR_CRYPTO_MALFORMED',
        `Signed attribute ${type} must occur once with one value`,
      );
    }
    attrs.set(type, list);
  }
  const signedAttrs = si.whole(attrsTlv);
  signedAttrs[0] = SET; // RFC 5652 §5.4: the signature covers the EXPLICIT SET OF encoding
  return { content, certificates, sid, signedAttrs, attrs, signature };
}

function findSignerCert(p: ParsedSignedData, expectedSignerCertDer?: Buffer): Sm2CertInfo {
  if (expectedSignerCertDer) {
    const pinned = readSm2Certificate(expectedSignerCertDer);
    if (!refersTo(p.sid, pinned)) {
      throw new GatewayError(
        'GW_ERR_CRYPTO_SIGNATURE',
        'SignedData names a signer other than the expected certificate',
      );
    }
    return pinned;
  }
  for (const der of p.certificates) {
    const info = readSm2Certificate(der);
    if (refersTo(p.sid, info)) return info;
  }
  throw new GatewayError('GW_ERR_CRYPTO_SIGNATURE', "SignedData does not carry its signer's certificate");
}

/** Verify a GM/T 0010 SignedData and return its content, signer and signing time. */
export async function verifyGmt0010(
  sm2: Sm2,
  der: Buffer,
  expectedSignerCertDer?: Buffer,
): Promise<VerifiedContent> {
  const p = parseSignedData(der);
  const contentType = p.attrs.get(OID.ATTR_CONTENT_TYPE)?.[0];
  if (!contentType || !contentType.equals(GM_DATA_OID)) {
    throw new GatewayError('GW_ERR_CRYPTO_SIGNATURE', 'content-type attribute does not match the content');
  }
  const digest = p.attrs.get(OID.ATTR_MESSAGE_DIGEST)?.[0];
  if (!digest || !digest.equals(derTlv(TAG.OCTET_STRING, sm3(p.content)))) {
    throw new GatewayError('GW_ERR_CRYPTO_SIGNATURE', 'message-digest attribute does not match the content');
  }
  const timeDer = p.attrs.get(OID.ATTR_SIGNING_TIME)?.[0];
  const signingTime = timeDer ? decodeSigningTime(timeDer) : undefined;
  const cert = findSignerCert(p, expectedSignerCertDer);
  await sm2.verifyAsync(p.signedAttrs, p.signature, cert.publicKey);
  return { content: p.content, signerCertDer: cert.der, ...(signingTime ? { signingTime } : {}) };
}
