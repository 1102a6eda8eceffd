import {
  algorithmForDigestName,
  algorithmForDigestOid,
  algorithmForOid,
  type SealAlgorithm,
} from './algorithms.js';
import { certValidAt, isIssuedBy, readSealCertificate, type SealCertificate } from './certificate.js';
import { readPngSize } from './png.js';
import type { DecodedSeal } from './read-seal.js';
import { rejected, type SealRejected } from './verification.js';

/**
 * The checks of a seal that do not depend on how the document signature is carried, shared by
 * the SES_Signature (sm) and CMS (intl) verifiers. The order is deliberate: a tampered part
 * usually breaks every signature above it as well (a swapped picture breaks the maker's AND the
 * signer's signature), so the innermost evidence is examined first and the most specific reason
 * wins: picture → maker signature → maker trust, then (in the caller) the signer's signature,
 * then signer list → seal validity → signer certificate validity → document digest.
 */

/** What the checks before the signer's signature found. */
export interface SealMaker {
  readonly maker: SealCertificate;
  readonly algorithm: SealAlgorithm;
  readonly trusted: boolean;
}

/** Type guard: the value is a rejection. */
export function isRejected<T extends object>(v: T | SealRejected): v is SealRejected {
  return 'valid' in v && v.valid === false;
}

/**
 * Picture swapped. Replacing SES_ESPictureInfo.data changes SES_SealInfo, so the maker's
 * signature breaks too — alone that would only say "maker signature". To name the picture, the
 * maker records the picture's digest (SM3 or SHA-256, per the maker's algorithm) in an ExtData
 * of SES_SealInfo, under its own signature. A picture that no longer matches that digest was
 * replaced after the seal was made. An attacker who also rewrites the digest is still caught,
 * as `maker-signature`; both verdicts are invalid, the reason is the diagnosis. Seals made by
 * other vendors without this ExtData skip the check and rely on the maker signature.
 */
function checkPicture(seal: DecodedSeal): SealRejected | undefined {
  const picture = seal.seal.eSealInfo.picture;
  const data = new Uint8Array(picture.data);
  if (picture.type.toLowerCase() !== 'png' || !readPngSize(data)) {
    return rejected('malformed', 'The seal picture is not a PNG image');
  }
  if (!seal.pictureDigest) return undefined;
  const alg = algorithmForDigestOid(seal.pictureDigest.algorithm);
  if (!alg) return rejected('malformed', 'The picture digest uses an unsupported algorithm');
  if (!alg.digest(data).equals(seal.pictureDigest.digest)) {
    return rejected('picture-swapped', 'The seal picture does not match the digest the seal maker recorded');
  }
  return undefined;
}

function isTrusted(maker: SealCertificate, trusted: readonly Buffer[]): boolean {
  for (const der of trusted) {
    if (maker.der.equals(der)) return true;
    let anchor: SealCertificate;
    try {
      anchor = readSealCertificate(der);
    } catch {
      continue; // an unusable anchor trusts nothing
    }
    if (isIssuedBy(maker, anchor)) return true;
  }
  return false;
}

/** Picture, maker signature and maker trust. */
export function checkSealMaker(
  seal: DecodedSeal,
  trustedMakerCerts?: readonly Buffer[],
): SealMaker | SealRejected {
  const picture = checkPicture(seal);
  if (picture) return picture;
  let maker: SealCertificate;
  try {
    maker = readSealCertificate(new Uint8Array(seal.seal.cert));
  } catch {
    return rejected('malformed', 'The seal maker certificate cannot be read');
  }
  const algorithm = algorithmForOid(seal.seal.signAlgID);
  if (!algorithm || algorithm.key !== maker.algorithm) {
    return rejected('malformed', 'The seal signature algorithm is unsupported or does not fit the maker key');
  }
  if (!algorithm.verify(seal.sealInfoDer, new Uint8Array(seal.seal.signedValue), maker.publicKey)) {
    return rejected('maker-signature', "The seal maker's signature over the seal does not verify");
  }
  if (!certValidAt(maker, seal.seal.eSealInfo.property.createDate)) {
    return rejected('untrusted-maker', 'The seal maker certificate was not valid when the seal was made');
  }
  const trusted = trustedMakerCerts !== undefined;
  if (trusted && !isTrusted(maker, trustedMakerCerts)) {
    return rejected('untrusted-maker', `The seal maker ${maker.subject} is not trusted`);
  }
  return { maker, algorithm, trusted };
}

/** True when the seal's signer list names `signerCertDer` (whole certificate or its digest). */
export function signerInSeal(seal: DecodedSeal, signerCertDer: Buffer): boolean {
  const list = seal.certList;
  if (list.type === 1) return list.certs.some((c) => c.equals(signerCertDer));
  return list.digests.some((d) => {
    const alg = algorithmForDigestName(d.type);
    return alg !== undefined && alg.digest(signerCertDer).equals(d.value);
  });
}

/** Signer list, seal validity and signer certificate validity, all at the signing time. */
export function checkSealUse(
  seal: DecodedSeal,
  signer: SealCertificate,
  signedAt: Date,
): SealRejected | undefined {
  if (!signerInSeal(seal, signer.der)) {
    return rejected(
      'signer-not-in-seal',
      `The signer ${signer.subject} is not among the seal's allowed signers`,
    );
  }
  // Validity is judged at the signing time, as GB/T 38540 verifies a signature: a document
  // sealed while the seal was valid stays valid after the seal is retired.
  const { validStart, validEnd } = seal.seal.eSealInfo.property;
  if (signedAt < validStart)
    return rejected('seal-expired', 'The document was sealed before the seal became valid');
  if (signedAt > validEnd) return rejected('seal-expired', 'The document was sealed after the seal expired');
  if (!certValidAt(signer, signedAt)) {
    return rejected(
      'signer-cert-expired',
      "The signer's certificate was not valid when the document was sealed",
    );
  }
  return undefined;
}

/** Signing times may run this far ahead of the verifier's clock (clock skew between offices). */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** A signing time later than the verifier's clock (beyond skew) is not a plausible claim. */
export function checkSigningTime(signedAt: Date, now: Date): SealRejected | undefined {
  return signedAt.getTime() > now.getTime() + CLOCK_SKEW_MS
    ? rejected('malformed', 'The signing time lies in the future')
    : undefined;
}
