export type { CryptoSuite, KeyedIdentity, SuiteName, VerifiedContent } from './suite.js';
export { createSuiteRegistry } from './registry.js';
export type { SuiteRegistry } from './registry.js';
