import type { SuiteName, SuiteRegistry } from '../crypto/index.js';
import type { CheckpointSignatureVerifier } from './types.js';

/**
 * The checkpoint-signature check for `verifyLogDir` and evidence bundles. A gateway signs its
 * checkpoints as a CMS SignedData with its signing key (GM/T 0010 for `sm`, RFC 5652 for
 * `intl`), so checking one is a suite `verify` pinned to the certificate the checkpoint names,
 * plus equality of the signed bytes. That alone proves nothing against a forger who signs with a
 * key of their own: `trusted` (DER) limits the signers to known certificates.
 */
export function checkpointVerifier(
  suites: SuiteRegistry,
  trusted?: readonly Buffer[],
): CheckpointSignatureVerifier {
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
