import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { CertificateCache } from './certificate-cache.js';
import {
  DER_NULL,
  derAlgorithm,
  derExplicit,
  derOctets,
  derOid,
  derSequence,
  derSetOf,
  derSmallInt,
} from './der-writer.js';
import { OID } from './oids.js';
import { issuerAndSerial } from './signer-identifier.js';

/** AES-256-GCM key, nonce and tag sizes (RFC 5084 §3.2 recommends a 12-octet nonce). */
export const GCM = { keyBytes: 32, nonceBytes: 12, tagBytes: 16 } as const;

/**
 * RSAES-OAEP-params with SHA-256 and MGF1-SHA-256, written out explicitly (RFC 4055 §4.1;
 * the DEFAULTs are SHA-1). The SHA-256 AlgorithmIdentifiers have absent parameters, as
 * OpenSSL writes them (`nullDigestParams` gives the other RFC 4055 spelling); pSourceFunc keeps its DEFAULT (empty label) and is therefore omitted.
 */
export function oaepSha256Params(nullDigestParams = false): Buffer {
  const sha256 = nullDigestParams ? derAlgorithm(OID.sha256, DER_NULL) : derAlgorithm(OID.sha256);
  return derSequence(derExplicit(0, sha256), derExplicit(1, derAlgorithm(OID.mgf1, sha256)));
}

/**
 * Encrypt `content` for the holder of an RSA certificate as a DER ContentInfo(AuthEnvelopedData)
 * (RFC 5083): AES-256-GCM content encryption (RFC 5084), the content key wrapped with
 * RSAES-OAEP-SHA-256 in a KeyTransRecipientInfo naming the certificate by issuer and serial.
 * `openssl cms -decrypt` (OpenSSL 3.0+) reads it.
 */
export function encryptCms(certs: CertificateCache, content: Buffer, recipientCertDer: Buffer): Buffer {
  const cert = certs.read(recipientCertDer, 'recipient certificate');
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    // EC recipients would need KeyAgreeRecipientInfo (ECDH); our PKI issues RSA encryption certs.
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      'Recipient certificate must carry an RSA key of 2048 bits or more',
    );
  }

  const contentKey = randomBytes(GCM.keyBytes);
  const nonce = randomBytes(GCM.nonceBytes);
  const cipher = createCipheriv('aes-256-gcm', contentKey, nonce, { authTagLength: GCM.tagBytes });
  // No authAttrs, so the additional authenticated data is empty (RFC 5083 §2.2).
  const ciphertext = Buffer.concat([cipher.update(content), cipher.final()]);
  const mac = cipher.getAuthTag();
  const encryptedKey = publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    contentKey,
  );
  contentKey.fill(0);

  const recipientInfo = derSequence(
    derSmallInt(0), // version 0: rid is IssuerAndSerialNumber (RFC 5652 §6.2.1)
    issuerAndSerial(cert),
    derAlgorithm(OID.rsaesOaep, oaepSha256Params()),
    derOctets(encryptedKey),
  );
  const encryptedContentInfo = derSequence(
    derOid(OID.data),
    derAlgorithm(OID.aes256Gcm, derSequence(derOctets(nonce), derSmallInt(GCM.tagBytes))),
    derOctets(ciphertext, 0), // encryptedContent [0] IMPLICIT
  );
  const authEnvelopedData = derSequence(
    derSmallInt(0),
    derSetOf([recipientInfo]),
    encryptedContentInfo,
    derOctets(mac),
  );
  return derSequence(derOid(OID.authEnvelopedData), derExplicit(0, authEnvelopedData));
}
