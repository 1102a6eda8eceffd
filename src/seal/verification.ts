import { GatewayError, type ErrorCode } from '../errors.js';

/** Why a sealed document did not verify; each reason has its own stable error code. */
export type SealFailureReason =
  | 'document-digest'
  | 'seal-expired'
  | 'signer-not-in-seal'
  | 'maker-signature'
  | 'signer-signature'
  | 'picture-swapped'
  | 'malformed'
  | 'signer-cert-expired'
  | 'untrusted-maker'
  /** Only from `verifySealedDocuments`: a required role (unit / officer) has no seal. */
  | 'seal-missing'
  /** Only from `verifySealedDocuments`: e.g. a personal seal applied as the unit seal. */
  | 'seal-role';

/** A document signature that verified. */
export interface SealVerified {
  readonly valid: true;
  /** `sm`: GB/T 38540 SES_Signature; `intl`: CMS SignedData carrying the seal. */
  readonly suite: 'sm' | 'intl';
  readonly sealName: string;
  readonly esID: string;
  /** SES_ESPropertyInfo.type (1 unit seal, 2 personal seal). */
  readonly sealType: number;
  readonly signerSubject: string;
  readonly makerSubject: string;
  /** The signing time the signer put under its signature. */
  readonly signedAt: Date;
  /** What the signer said it signed (TBS_Sign.propertyInfo). */
  readonly propertyInfo: string;
  /**
   * True when the maker was checked against `trustedMakerCerts`. False means only the
   * internal consistency was proven: anybody can make a self-consistent seal.
   */
  readonly makerTrusted: boolean;
}

/** A document signature that did not verify. */
export interface SealRejected {
  readonly valid: false;
  readonly reason: SealFailureReason;
  /** Our own words; never parser internals. */
  readonly message: string;
}

/** Result of verifying one document signature. Verifiers return it and never throw. */
export type SealVerification = SealVerified | SealRejected;

/** Stable error code of each reason. */
export const SEAL_ERROR_CODES: Readonly<Record<SealFailureReason, ErrorCode>> = {
  'document-digest': 'GW_ERR_SEAL_DOCUMENT_DIGEST',
  'seal-expired': 'GW_ERR_SEAL_EXPIRED',
  'signer-not-in-seal': 'GW_ERR_SEAL_SIGNER_NOT_IN_SEAL',
  'maker-signature': 'GW_ERR_SEAL_MAKER_SIGNATURE',
  'signer-signature': 'GW_ERR_SEAL_SIGNER_SIGNATURE',
  'picture-swapped': 'GW_ERR_SEAL_PICTURE_SWAPPED',
  malformed: 'GW_ERR_SEAL_MALFORMED',
  'signer-cert-expired': 'GW_ERR_SEAL_SIGNER_CERT_EXPIRED',
  'untrusted-maker': 'GW_ERR_SEAL_UNTRUSTED_MAKER',
  'seal-missing': 'GW_ERR_SEAL_MISSING',
  'seal-role': 'GW_ERR_SEAL_ROLE',
};

/** A rejection with the given reason. */
export function rejected(reason: SealFailureReason, message: string): SealRejected {
  return { valid: false, reason, message };
}

/** The GatewayError (422, permanent) for a rejected verification. */
export function sealError(
  v: SealRejected,
  details: Array<{ path?: string; message: string }> = [],
): GatewayError {
  return new GatewayError(SEAL_ERROR_CODES[v.reason], v.message, [
    { message: v.message, reason: v.reason },
    ...details,
  ]);
}
