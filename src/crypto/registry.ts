import { GatewayError } from '../errors.js';
import { createIntlSuite } from './intl/index.js';
import { createSmSuite } from './sm/index.js';
import type { CryptoSuite, SuiteName } from './suite.js';

/** Look up a suite by name; suites are stateless, so one instance each serves the node. */
export type SuiteRegistry = (name: SuiteName) => CryptoSuite;

/** Both suites, created once. */
export function createSuiteRegistry(): SuiteRegistry {
  const suites: Record<SuiteName, CryptoSuite> = { sm: createSmSuite(), intl: createIntlSuite() };
  return (name) => {
    const s = suites[name];
    if (!s) throw new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', `unknown suite ${String(name)}`);
    return s;
  };
}
