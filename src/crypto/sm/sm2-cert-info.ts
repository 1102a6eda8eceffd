import { createHash, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, SubjectKeyIdentifier, id_ce_subjectKeyIdentifier } from '@peculiar/asn1-x509';
import { GatewayError, isGatewayError } from '../../errors.js';
import { sm2PublicKeyFromSpki } from './sm2-keys.js';

/** What the SM suite needs from an SM2 certificate. */
export interface Sm2CertInfo {
  /** The certificate, DER. */
  readonly der: Buffer;
  /** The parsed certificate. */
  readonly cert: Certificate;
  /** The SM2 public key (checked to be on the curve). */
  readonly publicKey: KeyObject;
  /** DER of the issuer Name, for IssuerAndSerialNumber. */
  readonly issuerDer: Buffer;
  /** DER of the subject Name. */
  readonly subjectDer: Buffer;
  /** Serial number content octets. */
  readonly serialNumber: Buffer;
  /** DER of the TBSCertificate, the signed bytes. */
  readonly tbsDer: Buffer;
  /** Subject key identifier, when the extension is present. */
  readonly subjectKeyId?: Buffer;
}

// Peers use a handful of certificates over and over; parsing one costs more than the lookup.
const CACHE_LIMIT = 256;
const cache = new Map<string, Sm2CertInfo>();

function parse(der: Buffer): Sm2CertInfo {
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch (err) {
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Certificate is not valid DER X.509', [], {
      cause: err,
    });
  }
  const tbs = cert.tbsCertificate;
  const spki = Buffer.from(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
  let publicKey: KeyObject;
  try {
    publicKey = sm2PublicKeyFromSpki(spki);
  } catch (err) {
    if (isGatewayError(err)) throw err;
    throw new GatewayError('GW_ERR_CRYPTO_KEY', 'Certificate public key is unusable', [], { cause: err });
  }
  const skiExt = tbs.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  const ski = skiExt
    ? Buffer.from(AsnConvert.parse(skiExt.extnValue, SubjectKeyIdentifier).buffer)
    : undefined;
  return {
    der,
    cert,
    publicKey,
    issuerDer: Buffer.from(AsnConvert.serialize(tbs.issuer)),
    subjectDer: Buffer.from(AsnConvert.serialize(tbs.subject)),
    serialNumber: Buffer.from(tbs.serialNumber),
    tbsDer: Buffer.from(cert.tbsCertificateRaw ?? AsnConvert.serialize(tbs)),
    ...(ski ? { subjectKeyId: ski } : {}),
  };
}

/** Parse (once, cached by content) an X.509 certificate that carries an SM2 key. */
export function readSm2Certificate(der: Uint8Array): Sm2CertInfo {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const key = createHash('sha256').update(buf).digest('base64');
  const hit = cache.get(key);
  if (hit) return hit;
  const info = parse(Buffer.from(buf));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, info);
  return info;
}
