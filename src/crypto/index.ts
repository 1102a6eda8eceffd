export type { CryptoSuite, KeyedIdentity, SuiteName, VerifiedContent } from './suite.js';
