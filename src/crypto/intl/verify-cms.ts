import { createHash, timingSafeEqual, verify as nodeVerify } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { VerifiedContent } from '../suite.js';
import {
  type Asn1Node,
  asUniversalSet,
  encodeDer,
  isContext,
  isSequence,
  malformed,
  parseDer,
  readExplicit,
  readOctets,
  readOid,
  readSequence,
  readSet,
  readSmallInteger,
  readTime,
} from './asn1.js';
import type { CertificateCache } from './certificate-cache.js';
import type { CertificateInfo } from './certificate-info.js';
import { OID } from './oids.js';
import {
  type SignatureKind,
  readSignatureAlgorithm,
  requireSha256,
  signatureKindOf,
} from './signature-algorithm.js';
import { identifierForm, identifies } from './signer-identifier.js';

function signatureError(message: string): GatewayError {
  return new GatewayError('GW_ERR_CRYPTO_SIGNATURE', message);
}

/** The fields of the one SignerInfo we accept, checked for shape. */
interface SignerInfoParts {
  readonly sid: Asn1Node;
  readonly version: number;
  readonly signedAttrs?: Asn1Node;
  readonly kind: SignatureKind;
  readonly signature: Buffer;
}

function readSignerInfo(node: Asn1Node | undefined): SignerInfoParts {
  const fields = readSequence(node, 'SignerInfo', 5, 7);
  const version = readSmallInteger(fields[0], 'SignerInfo version');
  const sid = fields[1] as Asn1Node;
  const form = identifierForm(sid, 'SignerInfo sid');
  // RFC 5652 §5.3: version 1 with IssuerAndSerialNumber, 3 with SubjectKeyIdentifier.
  if (version !== (form === 'issuerAndSerialNumber' ? 1 : 3)) throw malformed('SignerInfo version');
  requireSha256(fields[2], 'SignerInfo digestAlgorithm');
  let i = 3;
  const signedAttrs = isContext(fields[i], 0) ? fields[i++] : undefined;
  const kind = readSignatureAlgorithm(fields[i++]);
  const signature = readOctets(fields[i++], 'SignerInfo signature');
  if (i < fields.length && !(isContext(fields[i], 1) && i === fields.length - 1)) {
    throw malformed('SignerInfo has unexpected fields');
  }
  return { sid, version, signedAttrs, kind, signature };
}

/** The values of signed attributes we interpret, each present at most once (§11). */
interface SignedAttributeValues {
  readonly contentType?: string;
  readonly messageDigest?: Buffer;
  readonly signingTime?: Date;
  readonly signingCertHash?: Buffer;
}

function readSigningCertificateV2(value: Asn1Node | undefined): Buffer {
  const [certs] = readSequence(value, 'signingCertificateV2', 1, 2);
  const [first] = readSequence(certs, 'signingCertificateV2 certs', 1);
  const parts = readSequence(first, 'ESSCertIDv2', 1, 3);
  // hashAlgorithm is optional with DEFAULT id-sha256 (RFC 5035 §5.4.1).
  if (isSequence(parts[0])) requireSha256(parts.shift(), 'ESSCertIDv2 hashAlgorithm');
  return readOctets(parts[0], 'ESSCertIDv2 certHash');
}

function readSignedAttributes(node: Asn1Node): SignedAttributeValues {
  const attributes = readSet(asUniversalSet(node), 'signedAttrs', 1);
  const seen = new Set<string>();
  const out: { -readonly [K in keyof SignedAttributeValues]: SignedAttributeValues[K] } = {};
  for (const attribute of attributes) {
    const [typeNode, valuesNode] = readSequence(attribute, 'Attribute', 2, 2);
    const type = readOid(typeNode, 'Attribute type');
    const values = readSet(valuesNode, 'Attribute values', 1);
    if (seen.has(type)) throw malformed('duplicate signed attribute');
    seen.add(type);
    const single = (): Asn1Node => {
      if (values.length !== 1) throw malformed('signed attribute must have one value');
      return values[0] as Asn1Node;
    };
    if (type === OID.contentType) out.contentType = readOid(single(), 'contentType attribute');
    else if (type === OID.messageDigest) out.messageDigest = readOctets(single(), 'messageDigest attribute');
    else if (type === OID.signingTime) out.signingTime = readTime(single(), 'signingTime attribute');
    else if (type === OID.signingCertificateV2) out.signingCertHash = readSigningCertificateV2(single());
  }
  return out;
}

function safeVerify(kind: SignatureKind, data: Buffer, cert: CertificateInfo, signature: Buffer): boolean {
  if (signatureKindOf(cert.publicKey, 'signer certificate') !== kind) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      'Signature algorithm does not fit the signer key',
    );
  }
  try {
    return nodeVerify('sha256', data, cert.publicKey, signature);
  } catch {
    return false; // e.g. an ECDSA signature that is not valid DER
  }
}

/**
 * Verify a DER ContentInfo(SignedData) with encapsulated content and exactly one signer
 * (RFC 5652 §5.6). With `expectedSignerCertDer`, the SignerInfo must name that certificate
 * and its key must verify; otherwise the certificate carried in the SignedData is used.
 */
export function verifyCms(
  certs: CertificateCache,
  signedData: Buffer,
  expectedSignerCertDer?: Buffer,
): VerifiedContent {
  const pinned = expectedSignerCertDer
    ? certs.read(expectedSignerCertDer, 'expected signer certificate')
    : undefined;

  const [typeNode, wrapped] = readSequence(parseDer(signedData, 'SignedData'), 'ContentInfo', 2, 2);
  if (readOid(typeNode, 'ContentInfo contentType') !== OID.signedData) throw malformed('not a SignedData');
  const fields = readSequence(readExplicit(wrapped, 0, 'ContentInfo content'), 'SignedData', 4, 6);
  const version = readSmallInteger(fields[0], 'SignedData version');
  const digestAlgorithms = readSet(fields[1], 'digestAlgorithms', 1);
  digestAlgorithms.forEach((alg) => requireSha256(alg, 'SignedData digestAlgorithms'));
  const [eTypeNode, eContentTagged] = readSequence(fields[2], 'EncapsulatedContentInfo', 1, 2);
  if (readOid(eTypeNode, 'eContentType') !== OID.data) throw malformed('content type is not id-data');
  if (!eContentTagged) throw malformed('content is not encapsulated (detached signatures are not accepted)');
  const content = readOctets(readExplicit(eContentTagged, 0, 'eContent'), 'eContent');

  let i = 3;
  const certificates: Asn1Node[] = [];
  if (isContext(fields[i], 0)) {
    for (const choice of readSet(asUniversalSet(fields[i++] as Asn1Node), 'certificates')) {
      // Only plain certificates matter here; attribute certificates etc. are [n]-tagged.
      if (isSequence(choice)) certificates.push(choice);
    }
  }
  if (isContext(fields[i], 1)) i++; // CRLs are not ours to judge
  if (i !== fields.length - 1) throw malformed('SignedData has unexpected fields');
  const signerInfos = readSet(fields[i], 'signerInfos');
  if (signerInfos.length !== 1) throw malformed('exactly one signer is accepted');
  const signer = readSignerInfo(signerInfos[0]);
  // RFC 5652 §5.1: id-data with a SubjectKeyIdentifier signer makes version 3, else 1.
  if (version !== (signer.version === 3 ? 3 : 1)) throw malformed('SignedData version');

  let signerCert: CertificateInfo | undefined;
  if (pinned) {
    if (!identifies(signer.sid, pinned))
      throw signatureError('Signed by a certificate other than the expected one');
    signerCert = pinned;
  } else {
    // Read only when needed: a pinned verification never looks at the carried certificates.
    signerCert = certificates
      .map((node) => certs.fromNode(node, 'included certificate'))
      .find((cert) => identifies(signer.sid, cert));
    if (!signerCert) throw signatureError("The signer's certificate is not included");
  }

  let signingTime: Date | undefined;
  let signedBytes = content;
  if (signer.signedAttrs) {
    const attrs = readSignedAttributes(signer.signedAttrs);
    // RFC 5652 §5.3: with signed attributes, contentType and messageDigest are mandatory.
    if (attrs.contentType === undefined || attrs.messageDigest === undefined) {
      throw malformed('contentType and messageDigest attributes are required');
    }
    if (attrs.contentType !== OID.data)
      throw signatureError('contentType attribute does not match the content');
    const digest = createHash('sha256').update(content).digest();
    if (attrs.messageDigest.length !== digest.length || !timingSafeEqual(attrs.messageDigest, digest)) {
      throw signatureError('Content digest does not match the signed messageDigest');
    }
    if (attrs.signingCertHash) {
      if (!attrs.signingCertHash.equals(signerCert.sha256))
        throw signatureError('Signing certificate attribute does not match');
    }
    signingTime = attrs.signingTime;
    signedBytes = encodeDer(asUniversalSet(signer.signedAttrs));
  }
  if (!safeVerify(signer.kind, signedBytes, signerCert, signer.signature)) {
    throw signatureError('Signature verification failed');
  }
  return signingTime
    ? { content, signerCertDer: signerCert.der, signingTime }
    : { content, signerCertDer: signerCert.der };
}
