import type { KeyObject } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import { type Asn1Node, isNull, readOid, readSequence } from './asn1.js';
import { DER_NULL, derAlgorithm } from './der-writer.js';
import { OID } from './oids.js';

/** Signature families the `intl` suite signs and verifies with. */
export type SignatureKind = 'ecdsa-p256' | 'rsa';

function unsupported(message: string): GatewayError {
  return new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', message);
}

/** RSA keys below this size are refused (NIST SP 800-57: 2048 bits minimum today). */
const MIN_RSA_BITS = 2048;

/** The signature kind a key can produce, or `GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM`. */
export function signatureKindOf(key: KeyObject, what: string): SignatureKind {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ecdsa-p256';
  if (key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= MIN_RSA_BITS) return 'rsa';
  throw unsupported(`${what}: only ECDSA P-256 and RSA (2048 bits or more) keys are supported`);
}

/** SignerInfo.signatureAlgorithm for a kind (RFC 5758 §3.2: ECDSA has absent parameters). */
export function signatureAlgorithmFor(kind: SignatureKind): Buffer {
  return kind === 'ecdsa-p256'
    ? derAlgorithm(OID.ecdsaWithSha256)
    : derAlgorithm(OID.sha256WithRsa, DER_NULL);
}

/**
 * Signature kind named by a SignerInfo.signatureAlgorithm. RFC 5754 allows both
 * `rsaEncryption` (what OpenSSL writes) and `sha256WithRSAEncryption`; some producers put
 * `id-ecPublicKey` where ecdsa-with-SHA256 belongs, which we accept because the digest
 * algorithm is fixed to SHA-256 separately.
 */
export function readSignatureAlgorithm(node: Asn1Node | undefined): SignatureKind {
  const [idNode, params, ...rest] = readSequence(node, 'signatureAlgorithm', 1, 2);
  const id = readOid(idNode, 'signatureAlgorithm');
  if (rest.length > 0) throw unsupported('Unsupported signature algorithm parameters');
  if (id === OID.ecdsaWithSha256 || id === OID.ecPublicKey) {
    if (params !== undefined) throw unsupported('Unsupported signature algorithm parameters');
    return 'ecdsa-p256';
  }
  if (id === OID.sha256WithRsa || id === OID.rsaEncryption) {
    if (params !== undefined && !isNull(params))
      throw unsupported('Unsupported signature algorithm parameters');
    return 'rsa';
  }
  throw unsupported('Unsupported signature algorithm');
}

/** Require an AlgorithmIdentifier for SHA-256 (parameters absent or NULL, RFC 5754 §2). */
export function requireSha256(node: Asn1Node | undefined, what: string): void {
  const [idNode, params] = readSequence(node, what, 1, 2);
  if (readOid(idNode, what) !== OID.sha256 || (params !== undefined && !isNull(params))) {
    throw unsupported(`${what}: only SHA-256 is supported`);
  }
}
