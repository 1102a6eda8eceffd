import { algorithmForKey } from './algorithms.js';
import { readSealCertificate, type SealCertificate } from './certificate.js';
import { checkSealMaker, checkSealUse, checkSigningTime, isRejected } from './check-seal.js';
import { DerError, readTlv, TAG } from './der.js';
import { verifyIntlSealedDocument } from './intl-verify.js';
import { SEAL_OID } from './oids.js';
import { decodeSesSignature, type DecodedSignature } from './read-seal.js';
import { rejected, type SealVerification } from './verification.js';

/** Options of the verifiers. */
export interface VerifySealOptions {
  /** The verifier's clock, to refuse signing times in the future. Default now. */
  readonly now?: Date;
  /**
   * Seal maker certificates, or CAs that issued them, to trust. When given, a seal made by any
   * other certificate is `untrusted-maker`; when absent the maker is reported but not judged
   * (`makerTrusted: false`).
   */
  readonly trustedMakerCerts?: readonly Buffer[];
}

function verifySes(doc: Buffer, signatureDer: Buffer, opts: VerifySealOptions): SealVerification {
  let decoded: DecodedSignature;
  try {
    decoded = decodeSesSignature(signatureDer);
  } catch (err) {
    return rejected(
      'malformed',
      `Not a GB/T 38540 v4 SES_Signature: ${err instanceof DerError ? err.message : 'cannot be decoded'}`,
    );
  }
  const { signature, seal } = decoded;
  if (signature.signatureAlgID !== SEAL_OID.SM2_WITH_SM3 || seal.seal.signAlgID !== SEAL_OID.SM2_WITH_SM3) {
    return rejected('malformed', 'SES_Signature and its seal must use SM2 with SM3');
  }
  const made = checkSealMaker(seal, opts.trustedMakerCerts);
  if (isRejected(made)) return made;

  let signer: SealCertificate;
  try {
    signer = readSealCertificate(new Uint8Array(signature.cert));
  } catch {
    return rejected('malformed', 'The signer certificate cannot be read');
  }
  const alg = algorithmForKey('sm2');
  if (
    signer.algorithm !== 'sm2' ||
    !alg.verify(decoded.tbsDer, new Uint8Array(signature.signature), signer.publicKey)
  ) {
    return rejected('signer-signature', "The signer's signature over the document does not verify");
  }
  const signedAt = signature.toSign.timeInfo;
  const used = checkSealUse(seal, signer, signedAt);
  if (used) return used;
  const future = checkSigningTime(signedAt, opts.now ?? new Date());
  if (future) return future;
  if (!alg.digest(doc).equals(Buffer.from(signature.toSign.dataHash))) {
    return rejected('document-digest', 'The document does not match the digest under the signature');
  }
  const info = seal.seal.eSealInfo;
  return {
    valid: true,
    suite: 'sm',
    sealName: info.property.name,
    esID: info.esID,
    sealType: info.property.type,
    signerSubject: signer.subject,
    makerSubject: made.maker.subject,
    signedAt,
    propertyInfo: signature.toSign.propertyInfo,
    makerTrusted: made.trusted,
  };
}

/**
 * Verify a document against its seal signature, either a GB/T 38540 SES_Signature (sm) or the
 * intl CMS SignedData (told apart by their first element: TBS_Sign is a SEQUENCE, ContentInfo
 * starts with an OID). Checks, in this order, with one reason each: structure (`malformed`),
 * picture (`picture-swapped`), the maker's signature (`maker-signature`), the maker's trust
 * (`untrusted-maker`), the signer's signature (`signer-signature`), the signer list
 * (`signer-not-in-seal`), the seal's validity at the signing time (`seal-expired`), the
 * signer certificate's validity then (`signer-cert-expired`), the document digest
 * (`document-digest`). Never throws: any input yields a result.
 */
export function verifySealedDocument(
  doc: Buffer,
  signature: Buffer,
  opts: VerifySealOptions = {},
): SealVerification {
  try {
    const outer = readTlv(signature, 0);
    if (outer.tag !== TAG.SEQUENCE) return rejected('malformed', 'A seal signature is a DER SEQUENCE');
    const first = readTlv(signature, outer.start, outer.end);
    return first.tag === TAG.OID
      ? verifyIntlSealedDocument(doc, signature, opts)
      : verifySes(doc, signature, opts);
  } catch (err) {
    // Reached only for input that slipped past the structural checks; still a verdict, not a crash.
    return rejected(
      'malformed',
      err instanceof DerError ? `Malformed DER: ${err.message}` : 'The seal signature cannot be processed',
    );
  }
}
