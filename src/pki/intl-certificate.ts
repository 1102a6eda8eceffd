import {
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  sign as nodeSign,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import { AsnConvert } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, SubjectPublicKeyInfo, type Name } from '@peculiar/asn1-x509';
import { assembleCertificate, buildName, keyIdOf, type KeyUsageName } from '../crypto/index.js';
import { GatewayError } from '../errors.js';

export type { KeyUsageName };

/** What an international (ECDSA/RSA) certificate should say; mirrors the SM2 request. */
export interface IntlCertRequest {
  readonly subject: {
    readonly commonName: string;
    readonly organization?: string;
    readonly country?: string;
  };
  /** Positive serial, INTEGER content octets; default 16 random bytes. */
  readonly serialNumber?: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly keyUsage: readonly KeyUsageName[];
  /** Extended key usage OIDs, e.g. `EKU.serverAuth`. */
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltNames?: ReadonlyArray<{ readonly type: 'dns' | 'ip'; readonly value: string }>;
  /** The subject's public key (any key type Node can export as SPKI). */
  readonly publicKey: KeyObject;
  /** The issuing CA (ECDSA P-256 or RSA key); absent for a self-signed certificate. */
  readonly issuer?: { readonly certDer: Buffer; readonly privateKey: KeyObject };
  /** The subject's own private key, required when `issuer` is absent. */
  readonly subjectPrivateKeyForSelfSigned?: KeyObject;
}

/** Extended key usage OIDs (RFC 5280 §4.2.1.12). */
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const generateKeyPairAsync = promisify(generateKeyPair);

/** A fresh ECDSA P-256 key pair (Node crypto). */
export async function generateEcP256KeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
}

/** A fresh RSA key pair (Node crypto, off the event loop); 2048 bits by default. */
export async function generateRsaKeyPair(
  bits = 2048,
): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

/** A positive 128-bit serial number (RFC 5280 §4.1.2.2: at most 20 octets, non-negative). */
export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive, and no leading zero octet
  return serial;
}

const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_RSA_SHA256 = '1.2.840.113549.1.1.11';
const DER_NULL = new Uint8Array([0x05, 0x00]).buffer;

/** Signature algorithm of an issuer key (RFC 5758 §3.2 ECDSA: no parameters; RSA: NULL). */
function signatureAlgorithm(key: KeyObject): AlgorithmIdentifier {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return new AlgorithmIdentifier({ algorithm: OID_ECDSA_SHA256 });
  }
  if (key.asymmetricKeyType === 'rsa')
    return new AlgorithmIdentifier({ algorithm: OID_RSA_SHA256, parameters: DER_NULL });
  throw new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', 'Issuer key must be ECDSA P-256 or RSA');
}

/** SPKI DER of a public key, or of the public half of a private key. */
function spkiDer(key: KeyObject): Buffer {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
}

/**
 * Issue an X.509 v3 certificate signed with ECDSA-P-256-SHA-256 or RSA-SHA-256 by the issuer
 * (or self-signed): basicConstraints and keyUsage critical, subject/authority key identifiers,
 * extKeyUsage and subjectAltName when asked. Structures from @peculiar/asn1-x509, the
 * signature from Node's crypto.
 */
export function issueIntlCertificate(req: IntlCertRequest): Buffer {
  const subjectSpki = AsnConvert.parse(spkiDer(req.publicKey), SubjectPublicKeyInfo);
  const subject = buildName(req.subject);
  let issuerName: Name = subject;
  let authorityKeyId = keyIdOf(subjectSpki);
  const signingKey = req.issuer?.privateKey ?? req.subjectPrivateKeyForSelfSigned;
  if (!signingKey)
    throw new GatewayError('GW_ERR_CRYPTO_KEY', 'A self-signed certificate needs the subject key');
  if (req.issuer) {
    const ca = AsnConvert.parse(req.issuer.certDer, Certificate);
    if (!spkiDer(new X509Certificate(req.issuer.certDer).publicKey).equals(spkiDer(req.issuer.privateKey))) {
      throw new GatewayError('GW_ERR_CRYPTO_KEY', 'Issuer private key does not match the issuer certificate');
    }
    issuerName = ca.tbsCertificate.subject;
    authorityKeyId = keyIdOf(ca.tbsCertificate.subjectPublicKeyInfo);
  } else if (!spkiDer(signingKey).equals(spkiDer(req.publicKey))) {
    throw new GatewayError('GW_ERR_CRYPTO_KEY', 'subjectPrivateKeyForSelfSigned does not match publicKey');
  }
  if (!(req.notAfter.getTime() > req.notBefore.getTime())) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', 'notAfter must be after notBefore');
  }

  return assembleCertificate({
    serialNumber: new Uint8Array(req.serialNumber ?? randomSerial()).buffer,
    subject,
    subjectSpki,
    issuer: issuerName,
    authorityKeyId,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    isCa: req.isCa,
    keyUsage: req.keyUsage,
    extKeyUsage: req.extKeyUsage,
    subjectAltNames: req.subjectAltNames,
    signatureAlgorithm: signatureAlgorithm(signingKey),
    sign: (tbsDer) => nodeSign('sha256', tbsDer, signingKey),
  });
}
