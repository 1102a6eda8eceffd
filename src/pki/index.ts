/** Certificates and keys: file loading helpers and the development PKI generator. */
export { certFingerprint, loadCertDer, loadIdentity } from './identity-files.js';
export { initDevPki } from './dev-pki.js';
export type { CertKeyPaths, DevPkiLayout, DevPkiOptions, ManifestEntry, MemberPkiLayout } from './dev-pki.js';
export {
  EKU,
  generateEcP256KeyPair,
  generateRsaKeyPair,
  issueIntlCertificate,
  randomSerial,
} from './intl-certificate.js';
export type { IntlCertRequest, KeyUsageName } from './intl-certificate.js';
