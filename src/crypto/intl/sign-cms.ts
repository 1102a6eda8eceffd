import { createHash, createPublicKey, sign as nodeSign } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { KeyedIdentity } from '../suite.js';
import {
  type Asn1Node,
  algorithm,
  asUniversalSet,
  encodeDer,
  explicit,
  int,
  integerFromBytes,
  octets,
  oid,
  seq,
  setOf,
  time,
} from './asn1.js';
import { type CertificateInfo, readCertificate, spkiOf } from './certificate-info.js';
import { OID } from './oids.js';
import { signatureAlgorithmFor, signatureKindOf } from './signature-algorithm.js';
import { issuerAndSerial } from './signer-identifier.js';

function attribute(type: string, value: Asn1Node): Asn1Node {
  return seq(oid(type), setOf([value]));
}

/**
 * ESS signing-certificate-v2 (RFC 5035 §5.4): the SHA-256 of the signer's certificate under
 * the signature, so that nobody can swap the certificate carried next to it. The hash
 * algorithm is left out because SHA-256 is its DEFAULT; IssuerSerial is written as OpenSSL does.
 */
function signingCertificateV2(cert: CertificateInfo): Asn1Node {
  const certHash = createHash('sha256').update(cert.der).digest();
  const generalNames = seq(explicit(4, cert.issuer)); // directoryName [4], Name is a CHOICE
  const issuerSerial = seq(generalNames, integerFromBytes(cert.serial));
  return seq(seq(seq(octets(certHash), issuerSerial)));
}

/**
 * Build a DER ContentInfo(SignedData) (RFC 5652 §5) that encapsulates `content`: SHA-256,
 * the signer's certificate included, signed attributes contentType, messageDigest,
 * signingTime and signingCertificateV2, signed with Node's native crypto.
 */
export function signCms(content: Buffer, signer: KeyedIdentity, now = new Date()): Buffer {
  const cert = readCertificate(signer.certDer, 'signer certificate');
  const kind = signatureKindOf(signer.privateKey, 'signer key');
  let matches: boolean;
  try {
    matches = spkiOf(createPublicKey(signer.privateKey)).equals(spkiOf(cert.publicKey));
  } catch {
    matches = false;
  }
  if (!matches)
    throw new GatewayError('GW_ERR_CRYPTO_KEY', 'Signer key does not match the signer certificate');

  const digest = createHash('sha256').update(content).digest();
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(now)),
    attribute(OID.messageDigest, octets(digest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(cert)),
  ];
  // RFC 5652 §5.4: the signature covers the DER of the attributes with an explicit SET OF
  // tag, while the SignerInfo carries them as [0] IMPLICIT — same (sorted) content.
  const signedAttrs = setOf(attributes, 0);
  const signature = nodeSign('sha256', encodeDer(asUniversalSet(signedAttrs)), signer.privateKey);

  const signerInfo = seq(
    int(1), // version 1: sid is IssuerAndSerialNumber
    issuerAndSerial(cert),
    algorithm(OID.sha256),
    signedAttrs,
    signatureAlgorithmFor(kind),
    octets(signature),
  );
  const signedData = seq(
    int(1), // version 1: id-data content, v3 certificate, IssuerAndSerialNumber sid (§5.1)
    setOf([algorithm(OID.sha256)]),
    seq(oid(OID.data), explicit(0, octets(content))),
    setOf([cert.node], 0), // certificates [0] IMPLICIT
    setOf([signerInfo]),
  );
  return encodeDer(seq(oid(OID.signedData), explicit(0, signedData)));
}
