export type { CryptoSuite, KeyedIdentity, SuiteName, VerifiedContent } from './suite.js';
export { createSuiteRegistry } from './registry.js';
export type { SuiteRegistry } from './registry.js';
export { assembleCertificate, buildName, keyIdOf } from './x509-builder.js';
export type { CertificateParts, KeyUsageName, SubjectName } from './x509-builder.js';
