import { createHash, sign as nodeSign } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { KeyedIdentity } from '../suite.js';
import {
  derAlgorithm,
  derExplicit,
  derIntegerBytes,
  derOctets,
  derOid,
  derSequence,
  derSetOf,
  derSmallInt,
  derTime,
  sortedSetContent,
  tlv,
  TAG,
} from './der-writer.js';
import type { CertificateCache } from './certificate-cache.js';
import type { CertificateInfo } from './certificate-info.js';
import { OID } from './oids.js';
import { signatureAlgorithmFor, signatureKindOf } from './signature-algorithm.js';
import { issuerAndSerial } from './signer-identifier.js';

function attribute(type: string, value: Buffer): Buffer {
  return derSequence(derOid(type), derSetOf([value]));
}

/**
 * ESS signing-certificate-v2 (RFC 5035 §5.4): the SHA-256 of the signer's certificate under
 * the signature, so that nobody can swap the certificate carried next to it. The hash
 * algorithm is left out because SHA-256 is its DEFAULT; IssuerSerial is written as OpenSSL does.
 */
function signingCertificateV2(cert: CertificateInfo): Buffer {
  const generalNames = derSequence(derExplicit(4, cert.issuerDer)); // directoryName [4]; Name is a CHOICE
  const issuerSerial = derSequence(generalNames, derIntegerBytes(cert.serial));
  return derSequence(derSequence(derSequence(derOctets(cert.sha256), issuerSerial)));
}

/**
 * Build a DER ContentInfo(SignedData) (RFC 5652 §5) that encapsulates `content`: SHA-256,
 * the signer's certificate included, signed attributes contentType, messageDigest,
 * signingTime and signingCertificateV2, signed with Node's native crypto.
 */
export function signCms(
  certs: CertificateCache,
  content: Buffer,
  signer: KeyedIdentity,
  now = new Date(),
): Buffer {
  const cert = certs.read(signer.certDer, 'signer certificate');
  const kind = signatureKindOf(signer.privateKey, 'signer key');
  let matches: boolean;
  try {
    matches = certs.publicSpkiOf(signer.privateKey).equals(cert.spki);
  } catch {
    matches = false;
  }
  if (!matches)
    throw new GatewayError('GW_ERR_CRYPTO_KEY', 'Signer key does not match the signer certificate');

  const digest = createHash('sha256').update(content).digest();
  const attributes = sortedSetContent([
    attribute(OID.contentType, derOid(OID.data)),
    attribute(OID.signingTime, derTime(now)),
    attribute(OID.messageDigest, derOctets(digest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(cert)),
  ]);
  // RFC 5652 §5.4: the signature covers the attributes with an explicit SET OF tag, while
  // the SignerInfo carries the same content as [0] IMPLICIT.
  const signature = nodeSign('sha256', tlv(TAG.SET, attributes), signer.privateKey);

  const signerInfo = derSequence(
    derSmallInt(1), // version 1: sid is IssuerAndSerialNumber
    issuerAndSerial(cert),
    derAlgorithm(OID.sha256),
    tlv(0xa0, attributes),
    signatureAlgorithmFor(kind),
    derOctets(signature),
  );
  const signedData = derSequence(
    derSmallInt(1), // version 1: id-data content, v3 certificate, IssuerAndSerialNumber sid (§5.1)
    derSetOf([derAlgorithm(OID.sha256)]),
    derSequence(derOid(OID.data), derExplicit(0, derOctets(content))),
    derSetOf([cert.der], 0), // certificates [0] IMPLICIT, the certificate's own bytes
    derSetOf([signerInfo]),
  );
  return derSequence(derOid(OID.signedData), derExplicit(0, signedData));
}
