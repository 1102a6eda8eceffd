/** The `intl` crypto suite (RFC 5652 CMS with ECDSA/RSA, AES-256-GCM, RSAES-OAEP). */
export { createIntlSuite } from './intl-suite.js';
