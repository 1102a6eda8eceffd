import type { SuiteName } from '../crypto/index.js';
import type { SuiteRegistry } from '../crypto/index.js';

/**
 * The checkpoint-signature check for `verifyLogDir`: checkpoints carry a CMS SignedData made by
 * the node's signing key, so verifying one is a suite `verify` pinned to the certificate the
 * checkpoint names, plus equality of the signed bytes.
 */
export function auditSignatureVerifier(suites: SuiteRegistry) {
  return async (data: Buffer, signature: Buffer, certDer: Buffer, suite: SuiteName): Promise<boolean> => {
    try {
      const v = await suites(suite).verify(signature, certDer);
      return v.content.equals(data);
    } catch {
      return false;
    }
  };
}
