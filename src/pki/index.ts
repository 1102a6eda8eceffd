/** Certificates and keys: file loading helpers and the development PKI generator. */
export { certFingerprint, loadCertDer, loadIdentity } from './identity-files.js';
