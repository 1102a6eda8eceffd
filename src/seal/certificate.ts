import { createHash, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, type Name } from '@peculiar/asn1-x509';
import { getSm2, sm2PublicKeyFromSpki } from '../crypto/sm/index.js';
import { oidText } from './der.js';
import { SEAL_OID } from './oids.js';

/** Key families a seal maker or signer can hold. */
export type SealKeyAlgorithm = 'sm2' | 'ecdsa-p256';

/** What the seal module needs from an X.509 certificate. */
export interface SealCertificate {
  readonly der: Buffer;
  /** Subject as `CN=…, O=…` text (RFC 4514 order reversed for reading, values unescaped). */
  readonly subject: string;
  readonly subjectDer: Buffer;
  readonly issuerDer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly algorithm: SealKeyAlgorithm;
  readonly publicKey: KeyObject;
  /** TBSCertificate as encoded, for checking the issuer's signature. */
  readonly tbsDer: Buffer;
  readonly signatureAlgorithm: string;
  readonly signatureValue: Buffer;
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
};

/** Readable text of a Name, most significant RDN first (as people read `openssl x509 -subject`). */
export function formatName(name: Name): string {
  return name
    .map((rdn) => rdn.map((atv) => `${SHORT_NAMES[atv.type] ?? atv.type}=${atv.value.toString()}`).join('+'))
    .join(', ');
}

function curveOf(parameters: ArrayBuffer | null | undefined): string {
  if (!parameters) throw new Error('EC key without curve parameters');
  const bytes = new Uint8Array(parameters);
  if (bytes[0] !== 0x06 || bytes[1] !== bytes.length - 2)
    throw new Error('EC parameters are not a named curve');
  return oidText(bytes.subarray(2));
}

// A gateway sees the same few maker and signer certificates over and over; parsing one with
// asn1-schema costs several milliseconds, the lookup nothing.
const CACHE_LIMIT = 256;
const cache = new Map<string, SealCertificate>();

/**
 * Parse a certificate holding an SM2 or P-256 key (cached by content). Throws a plain Error on
 * anything else; the callers decide which coded reason that is (malformed input vs. bad
 * configuration).
 */
export function readSealCertificate(der: Uint8Array): SealCertificate {
  const key = createHash('sha256').update(der).digest('base64');
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = parseCertificate(Buffer.from(der));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, parsed);
  return parsed;
}

function parseCertificate(buf: Buffer): SealCertificate {
  const cert = AsnConvert.parse(buf, Certificate);
  const tbs = cert.tbsCertificate;
  const spki = tbs.subjectPublicKeyInfo;
  if (spki.algorithm.algorithm !== SEAL_OID.EC_PUBLIC_KEY)
    throw new Error('certificate key is not an EC key');
  const curve = curveOf(spki.algorithm.parameters);
  const spkiDer = Buffer.from(AsnConvert.serialize(spki));
  let algorithm: SealKeyAlgorithm;
  let publicKey: KeyObject;
  if (curve === SEAL_OID.SM2_CURVE) {
    algorithm = 'sm2';
    publicKey = sm2PublicKeyFromSpki(spkiDer);
  } else if (curve === SEAL_OID.P256_CURVE) {
    algorithm = 'ecdsa-p256';
    publicKey = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  } else {
    throw new Error(`certificate key is on an unsupported curve ${curve}`);
  }
  return Object.freeze({
    der: buf,
    subject: formatName(tbs.subject),
    subjectDer: Buffer.from(AsnConvert.serialize(tbs.subject)),
    issuerDer: Buffer.from(AsnConvert.serialize(tbs.issuer)),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    algorithm,
    publicKey,
    tbsDer: Buffer.from(cert.tbsCertificateRaw ?? AsnConvert.serialize(tbs)),
    signatureAlgorithm: cert.signatureAlgorithm.algorithm,
    signatureValue: Buffer.from(cert.signatureValue),
  });
}

/**
 * True when `issuer` signed `cert` (names chain and the signature verifies). Used to accept a
 * seal maker certificate issued by a trusted CA, one level deep — enough for the development
 * PKI and for a province's seal CA; deeper chains are the PKI layer's business.
 */
export function isIssuedBy(cert: SealCertificate, issuer: SealCertificate): boolean {
  if (!cert.issuerDer.equals(issuer.subjectDer)) return false;
  try {
    if (cert.signatureAlgorithm === SEAL_OID.SM2_WITH_SM3 && issuer.algorithm === 'sm2') {
      getSm2().verify(cert.tbsDer, cert.signatureValue, issuer.publicKey);
      return true;
    }
    if (cert.signatureAlgorithm === SEAL_OID.ECDSA_WITH_SHA256 && issuer.algorithm === 'ecdsa-p256') {
      return nodeVerify('sha256', cert.tbsDer, issuer.publicKey, cert.signatureValue);
    }
  } catch {
    return false;
  }
  return false;
}

/** True when `at` lies within the certificate's validity period. */
export function certValidAt(cert: SealCertificate, at: Date): boolean {
  return at.getTime() >= cert.notBefore.getTime() && at.getTime() <= cert.notAfter.getTime();
}
