/**
 * Electronic seals (电子印章, GB/T 38540-2020 v4): making seals, sealing documents, verifying
 * them, and the sealed documents a decision packet carries. Other folders import only from here.
 */
export { drawSealPicture, type SealPictureOptions } from './seal-picture.js';
export { encodePng, readPngSize } from './png.js';
export { makeSeal, SEAL_TYPE, type MakeSealOptions, type SealPicture } from './make-seal.js';
export { createDevSeal, devSealIdentity, type DevSeal, type DevSealOptions } from './dev-seal.js';
export { readSealCertificate, type SealCertificate, type SealKeyAlgorithm } from './certificate.js';
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
export {
  sealDocument,
  sealedPropertyInfo,
  verifySealedDocuments,
  type SealApplication,
  type SealDocumentInput,
  type SealedDocument,
  type SealedDocumentCheck,
  type SealedDocumentKind,
  type SealedDocumentsVerification,
  type SealedMediaType,
  type SealRole,
  type VerifySealedDocumentsOptions,
} from './sealed-document.js';
export {
  renderResidentRegistration,
  type RenderOptions,
  type ResidentRegistrationData,
} from './render-registration.js';
export {
  renderAcceptanceReceipt,
  renderRefusalNotice,
  type AcceptanceReceiptData,
  type NoticeData,
  type RefusalNoticeData,
} from './render-notice.js';
export { renderFormPdf, type FormField, type FormPage } from './render-form.js';
export { describeSealFile, type SealDescription, type SealFileDescription } from './inspect.js';
export { SEAL_OID, TONGBAN_ARC } from './oids.js';
export {
  CertDigestList,
  CertDigestObj,
  CertInfoList,
  ExtData,
  ExtensionDatas,
  PictureDigest,
  SESeal,
  SesESPictureInfo,
  SesESPropertyInfo,
  SesHeader,
  SesSealInfo,
  SesSignature,
  TbsSign,
} from './asn1.js';
