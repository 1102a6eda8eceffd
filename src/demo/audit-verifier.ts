import type { SuiteName, SuiteRegistry } from '../crypto/index.js';

/**
 * The checkpoint-signature check for `verifyLogDir`. Checkpoints carry a CMS SignedData made by
 * the node's signing key, so checking one is a suite `verify` pinned to the certificate the
 * checkpoint names, plus equality of the signed bytes. That alone proves nothing against a
 * forger who signs with a key of their own: with `trusted` (the node's signing certificates,
 * DER) the certificate must also be one of them.
 */
export function auditSignatureVerifier(suites: SuiteRegistry, trusted?: readonly Buffer[]) {
  return async (data: Buffer, signature: Buffer, certDer: Buffer, suite: SuiteName): Promise<boolean> => {
    if (trusted && !trusted.some((t) => t.equals(certDer))) return false;
    try {
      const v = await suites(suite).verify(signature, certDer);
      return v.content.equals(data);
    } catch {
      return false;
    }
  };
}
