import { createHash, randomBytes, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { getSm2 } from '../crypto/sm/index.js';
import type { SealCertificate, SealKeyAlgorithm } from './certificate.js';
import { SEAL_OID } from './oids.js';

/** A signature algorithm as the seal structures name it, with its digest. */
export interface SealAlgorithm {
  readonly key: SealKeyAlgorithm;
  /** OID written into signAlgID / signatureAlgID. */
  readonly signatureOid: string;
  /** OID of the digest that goes with it (picture digests, document digests). */
  readonly digestOid: string;
  /** Name for CertDigestObj.type and messages. */
  readonly digestName: 'sm3' | 'sha256';
  digest(data: Uint8Array): Buffer;
  sign(data: Uint8Array, privateKey: KeyObject): Buffer;
  /** Never throws: a malformed signature is simply not valid. */
  verify(data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean;
}

/**
 * SM2 with SM3 is the GB/T 38540 algorithm: standard SM2 (Z with the default ID
 * 1234567812345678) from the crypto/sm suite, never Node's `crypto.sign`, which does not
 * produce standard SM2 signatures on OpenSSL 3.0 (DESIGN §5).
 */
const SM2_SM3: SealAlgorithm = {
  key: 'sm2',
  signatureOid: SEAL_OID.SM2_WITH_SM3,
  digestOid: SEAL_OID.SM3,
  digestName: 'sm3',
  digest: (data) => createHash('sm3').update(data).digest(),
  sign: (data, key) => getSm2().sign(data, key),
  verify: (data, signature, key) => {
    try {
      getSm2().verify(data, signature, key);
      return true;
    } catch {
      return false;
    }
  },
};

/** ECDSA P-256 with SHA-256, for seals carried by the intl suite. */
const ECDSA_SHA256: SealAlgorithm = {
  key: 'ecdsa-p256',
  signatureOid: SEAL_OID.ECDSA_WITH_SHA256,
  digestOid: SEAL_OID.SHA256,
  digestName: 'sha256',
  digest: (data) => createHash('sha256').update(data).digest(),
  sign: (data, key) => nodeSign('sha256', data, key),
  verify: (data, signature, key) => {
    try {
      return nodeVerify('sha256', data, key, signature);
    } catch {
      return false;
    }
  },
};

/** The algorithm a certificate's key signs with. */
export function algorithmForKey(key: SealKeyAlgorithm): SealAlgorithm {
  return key === 'sm2' ? SM2_SM3 : ECDSA_SHA256;
}

/** The algorithm named by a signature OID, if we support it. */
export function algorithmForOid(oid: string): SealAlgorithm | undefined {
  return [SM2_SM3, ECDSA_SHA256].find((a) => a.signatureOid === oid);
}

/** The algorithm named by a digest OID, if we support it. */
export function algorithmForDigestOid(oid: string): SealAlgorithm | undefined {
  return [SM2_SM3, ECDSA_SHA256].find((a) => a.digestOid === oid);
}

/** The algorithm of a CertDigestObj.type digest name (`sm3`, `sha256`), case-insensitive. */
export function algorithmForDigestName(name: string): SealAlgorithm | undefined {
  return [SM2_SM3, ECDSA_SHA256].find((a) => a.digestName === name.toLowerCase());
}

/**
 * True when `privateKey` belongs to `cert`: a throw-away signature must verify with the
 * certificate's key. (Comparing exported public keys does not work for SM2 keys that Node
 * types as plain EC or not at all; a signature test works for both families.)
 */
export function keyMatchesCertificate(privateKey: KeyObject, cert: SealCertificate): boolean {
  const alg = algorithmForKey(cert.algorithm);
  const probe = randomBytes(32);
  try {
    return alg.verify(probe, alg.sign(probe, privateKey), cert.publicKey);
  } catch {
    return false;
  }
}
