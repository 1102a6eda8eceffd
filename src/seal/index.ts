/**
 * Electronic seals (电子印章, GB/T 38540-2020 v4): making seals, sealing documents, verifying
 * them, and the sealed documents a decision packet carries. Other folders import only from here.
 */
export { drawSealPicture, type SealPictureOptions } from './seal-picture.js';
export { encodePng, readPngSize } from './png.js';
export { makeSeal, SEAL_TYPE, type MakeSealOptions, type SealPicture } from './make-seal.js';
export { signDocument, type SignDocumentOptions } from './sign-document.js';
export { signDocumentIntl } from './intl-seal.js';
export { verifySealedDocument, type VerifySealOptions } from './verify.js';
export {
  SEAL_ERROR_CODES,
  sealError,
  type SealFailureReason,
  type SealRejected,
  type SealVerification,
  type SealVerified,
} from './verification.js';
export { SEAL_OID, TONGBAN_ARC } from './oids.js';
export {
  SESeal,
  SesESPictureInfo,
  SesESPropertyInfo,
  SesHeader,
  SesSealInfo,
  SesSignature,
  TbsSign,
  ExtData,
  ExtensionDatas,
  CertInfoList,
  CertDigestList,
  CertDigestObj,
  PictureDigest,
} from './asn1.js';
