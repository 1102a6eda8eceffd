/**
 * The 国密 (SM2/SM3/SM4) crypto suite and its primitives. Other folders import only from here.
 */
export { createSmSuite, type SmSuiteOptions } from './sm-suite.js';
export { getSm2, nativeSm2Status, sm2BackendName, SM2_DEFAULT_ID } from './sm2.js';
export type { Sm2, Sm2BackendChoice, Sm2SignOptions } from './sm2.js';
export type { Sm2BackendName } from './sm2-backend.js';
export {
  generateSm2KeyPair,
  sm2PrivateKeyFromScalar,
  sm2PublicKeyFromPoint,
  sm2PublicKeyFromSpki,
} from './sm2-keys.js';
export {
  sm2CiphertextFromRaw,
  sm2CiphertextToRaw,
  sm2SignatureFromRaw,
  sm2SignatureToRaw,
} from './sm2-asn1.js';
export { issueSm2Certificate, verifySm2CertificateSignature } from './sm2-certificate.js';
export type { Sm2CertRequest, Sm2KeyUsage } from './sm2-certificate.js';
export { readSm2Certificate, type Sm2CertInfo } from './sm2-cert-info.js';
export { sm4GcmDecrypt, sm4GcmEncrypt, type Sm4GcmImpl } from './sm4-gcm.js';
export { sm3 } from './sm2-js.js';
export { OID as SM_OID } from './oids.js';
