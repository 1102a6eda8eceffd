import { AsnConvert } from '@peculiar/asn1-schema';
import type { KeyedIdentity } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { algorithmForKey, keyMatchesCertificate } from './algorithms.js';
import { SesSignature, TbsSign, toArrayBuffer } from './asn1.js';
import { certValidAt, readSealCertificate, type SealCertificate } from './certificate.js';
import { checkSealMaker, isRejected, signerInSeal } from './check-seal.js';
import { DerError } from './der.js';
import { wholeSeconds } from './make-seal.js';
import { SEAL_OID } from './oids.js';
import { decodeSeal, type DecodedSeal } from './read-seal.js';
import { sealError } from './verification.js';

/** Options of `signDocument`. */
export interface SignDocumentOptions {
  /** TBS_Sign.propertyInfo: what is signed (printable ASCII). Default `document`. */
  readonly propertyInfo?: string;
  /** Signing time (TBS_Sign.timeInfo). Default now. */
  readonly time?: Date;
  /** Bytes for the optional timeStamp [0] slot (e.g. an RFC 3161 token over the signature). */
  readonly timeStamp?: Buffer;
}

/** Decode a seal for signing, refusing what we could not embed unchanged. */
export function sealForSigning(seal: Buffer): DecodedSeal {
  let decoded: DecodedSeal;
  try {
    decoded = decodeSeal(seal);
  } catch (err) {
    const why = err instanceof DerError ? err.message : 'cannot be decoded';
    throw new GatewayError('GW_ERR_SEAL_MALFORMED', `The seal is not a GB/T 38540 v4 SESeal: ${why}`);
  }
  // TBS_Sign embeds the seal as a structure; our encoder must reproduce its bytes exactly or
  // the maker's signature would no longer match what we embed.
  if (!Buffer.from(AsnConvert.serialize(decoded.seal)).equals(decoded.der)) {
    throw new GatewayError(
      'GW_ERR_SEAL_MALFORMED',
      'The seal is not in canonical DER and cannot be embedded unchanged',
    );
  }
  // Never apply a seal that a verifier would refuse (picture, maker signature, maker certificate).
  const made = checkSealMaker(decoded);
  if (isRejected(made)) throw sealError(made);
  return decoded;
}

/** Check that `signer` may apply `seal` at `time`; returns the signer's certificate. */
export function checkSignerMayUse(seal: DecodedSeal, signer: KeyedIdentity, time: Date): SealCertificate {
  let cert: SealCertificate;
  try {
    cert = readSealCertificate(signer.certDer);
  } catch (err) {
    throw new GatewayError(
      'GW_ERR_SEAL_PARAMETERS',
      `The signer certificate is not usable: ${(err as Error).message}`,
    );
  }
  if (!keyMatchesCertificate(signer.privateKey, cert)) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_KEY',
      "The signer's private key does not belong to the signer certificate",
    );
  }
  if (!signerInSeal(seal, signer.certDer)) throw new GatewayError('GW_ERR_SEAL_SIGNER_NOT_IN_SEAL');
  const { validStart, validEnd } = seal.seal.eSealInfo.property;
  if (time < validStart || time > validEnd)
    throw new GatewayError('GW_ERR_SEAL_EXPIRED', 'The seal is not valid at the signing time');
  if (!certValidAt(cert, time)) {
    throw new GatewayError(
      'GW_ERR_SEAL_SIGNER_CERT_EXPIRED',
      'The signer certificate is not valid at the signing time',
    );
  }
  return cert;
}

/**
 * Apply a GB/T 38540 seal to a document: SES_Signature (DER) whose TBS_Sign holds the seal,
 * the signing time, the SM3 digest of `doc` and `propertyInfo`, signed with standard
 * SM2-with-SM3 by the signer, whose certificate must be in the seal's signer list.
 *
 * The document travels separately; the signature covers its digest. Refuses (GatewayError):
 * a malformed seal (GW_ERR_SEAL_MALFORMED), a non-SM2 seal or signer (use the intl seal
 * instead; GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM), a signer outside the seal's list, a seal or
 * signer certificate not valid at the signing time, a key that does not fit its certificate.
 */
export function signDocument(
  doc: Buffer,
  seal: Buffer,
  signer: KeyedIdentity,
  opts: SignDocumentOptions = {},
): Buffer {
  const decoded = sealForSigning(seal);
  if (decoded.seal.signAlgID !== SEAL_OID.SM2_WITH_SM3) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      'SES_Signature needs an SM2 seal; use signDocumentIntl for P-256 seals',
    );
  }
  const time = wholeSeconds(opts.time ?? new Date());
  const cert = checkSignerMayUse(decoded, signer, time);
  if (cert.algorithm !== 'sm2') {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      'SES_Signature is signed with SM2; the signer holds another key',
    );
  }
  const propertyInfo = opts.propertyInfo ?? 'document';
  if (!/^[\x20-\x7e]*$/.test(propertyInfo))
    throw new GatewayError('GW_ERR_SEAL_PARAMETERS', 'propertyInfo must be printable ASCII');
  const alg = algorithmForKey('sm2');
  const toSign = new TbsSign({
    eseal: decoded.seal,
    timeInfo: time,
    dataHash: toArrayBuffer(alg.digest(doc)),
    propertyInfo,
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(toSign));
  const signature = new SesSignature({
    toSign,
    cert: toArrayBuffer(signer.certDer),
    signatureAlgID: alg.signatureOid,
    signature: toArrayBuffer(alg.sign(tbsDer, signer.privateKey)),
    ...(opts.timeStamp ? { timeStamp: toArrayBuffer(opts.timeStamp) } : {}),
  });
  return Buffer.from(AsnConvert.serialize(signature));
}
