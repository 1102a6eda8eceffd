import { randomBytes, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, SubjectPublicKeyInfo, type Name } from '@peculiar/asn1-x509';
import { GatewayError } from '../../errors.js';
import { assembleCertificate, buildName, keyIdOf, type KeyUsageName } from '../x509-builder.js';
import { OID } from './oids.js';
import { getSm2 } from './sm2.js';
import { readSm2Certificate } from './sm2-cert-info.js';
import { sm2PublicParts } from './sm2-keys.js';

/** Key usages an SM2 certificate can carry (RFC 5280 §4.2.1.3 names). */
export type Sm2KeyUsage = KeyUsageName;

/** What to put into an SM2 certificate. */
export interface Sm2CertRequest {
  subject: { commonName: string; organization?: string; country?: string };
  /** Positive serial, content octets; default 16 random bytes. */
  serialNumber?: Buffer;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  keyUsage: Array<Sm2KeyUsage>;
  /** Extended key usage OIDs. */
  extKeyUsage?: string[];
  /** The subject's public key. */
  publicKey: KeyObject;
  /** Issuing CA; absent = self-signed with the subject's key. */
  issuer?: { certDer: Buffer; privateKey: KeyObject };
  /** The subject's private key, required when `issuer` is absent. */
  subjectPrivateKeyForSelfSigned?: KeyObject;
}

function serialOf(req: Sm2CertRequest): ArrayBuffer {
  let serial = req.serialNumber ?? randomBytes(16);
  if (serial.length === 0)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Serial number must not be empty');
  // INTEGER content: keep it positive and minimal.
  while (serial.length > 1 && serial[0] === 0 && (serial[1]! & 0x80) === 0) serial = serial.subarray(1);
  if (serial[0]! & 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  return new Uint8Array(serial).buffer;
}

/**
 * Issue an X.509 v3 certificate for an SM2 key, signed with standard SM2-with-SM3 (default ID,
 * OID 1.2.156.10197.1.501 without parameters) so that `openssl verify -vfyopt
 * distid:1234567812345678` accepts it. Carries basicConstraints and keyUsage (critical),
 * extKeyUsage when asked, and subject/authority key identifiers.
 */
export function issueSm2Certificate(req: Sm2CertRequest): Buffer {
  const subjectSpkiDer = sm2PublicParts(req.publicKey).spki;
  const spki = AsnConvert.parse(subjectSpkiDer, SubjectPublicKeyInfo);
  const subject = buildName(req.subject);
  let issuerName: Name;
  let signingKey: KeyObject;
  let authorityKeyId: Buffer;
  if (req.issuer) {
    const ca = readSm2Certificate(req.issuer.certDer);
    if (!sm2PublicParts(req.issuer.privateKey).spki.equals(sm2PublicParts(ca.publicKey).spki)) {
      throw new GatewayError('GW_ERR_CRYPTO_KEY', 'Issuer private key does not match the issuer certificate');
    }
    issuerName = ca.cert.tbsCertificate.subject;
    signingKey = req.issuer.privateKey;
    authorityKeyId = ca.subjectKeyId ?? keyIdOf(ca.cert.tbsCertificate.subjectPublicKeyInfo);
  } else {
    const own = req.subjectPrivateKeyForSelfSigned;
    if (!own)
      throw new GatewayError(
        'GW_ERR_CRYPTO_KEY',
        'A self-signed certificate needs subjectPrivateKeyForSelfSigned',
      );
    if (!sm2PublicParts(own).spki.equals(subjectSpkiDer)) {
      throw new GatewayError('GW_ERR_CRYPTO_KEY', 'subjectPrivateKeyForSelfSigned does not match publicKey');
    }
    issuerName = subject;
    signingKey = own;
    authorityKeyId = keyIdOf(spki);
  }
  if (!(req.notAfter.getTime() > req.notBefore.getTime())) {
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'notAfter must be after notBefore');
  }

  return assembleCertificate({
    serialNumber: serialOf(req),
    subject,
    subjectSpki: spki,
    issuer: issuerName,
    authorityKeyId,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    isCa: req.isCa,
    keyUsage: req.keyUsage,
    extKeyUsage: req.extKeyUsage,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: OID.SM2_WITH_SM3 }),
    sign: (tbsDer) => getSm2().sign(tbsDer, signingKey),
  });
}

/**
 * Check that `certDer` was signed by `issuerCertDer`'s key with standard SM2-with-SM3 and that
 * its issuer name is that certificate's subject. Throws a coded GatewayError otherwise.
 * (Chain policy — validity, key usage, path length — is the PKI layer's business.)
 */
export function verifySm2CertificateSignature(certDer: Buffer, issuerCertDer: Buffer): void {
  const cert = readSm2Certificate(certDer);
  const issuer = readSm2Certificate(issuerCertDer);
  if (cert.cert.signatureAlgorithm.algorithm !== OID.SM2_WITH_SM3) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      'Certificate is not signed with SM2-with-SM3',
    );
  }
  if (!cert.issuerDer.equals(issuer.subjectDer)) {
    throw new GatewayError('GW_ERR_CRYPTO_SIGNATURE', 'Certificate issuer does not name the given issuer');
  }
  getSm2().verify(cert.tbsDer, Buffer.from(cert.cert.signatureValue), issuer.publicKey);
}
