import type { KeyedIdentity } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { signDocumentIntl } from './intl-seal.js';
import { SEAL_TYPE } from './make-seal.js';
import { decodeSeal } from './read-seal.js';
import { signDocument } from './sign-document.js';
import { rejected, type SealFailureReason, type SealVerification } from './verification.js';
import { verifySealedDocument, type VerifySealOptions } from './verify.js';

/** Which document of a case this is. */
export type SealedDocumentKind =
  'resident-registration' | 'household-page' | 'acceptance-receipt' | 'refusal-notice';
/** Media types a sealed document may have. */
export type SealedMediaType = 'application/json' | 'image/png' | 'application/pdf';
/** Who applied a seal: the 户籍地 unit seal, or the 承办人's signature. */
export type SealRole = 'unit' | 'officer';

/** A document with its seals, as a decision packet carries it (JSON-friendly). */
export interface SealedDocument {
  kind: SealedDocumentKind;
  mediaType: SealedMediaType;
  /** The document bytes, base64. The seals sign exactly these bytes. */
  contentBase64: string;
  /** `sm`: each signature is a GB/T 38540 SES_Signature; `intl`: a detached CMS SignedData. */
  suite: 'sm' | 'intl';
  seals: Array<{ role: SealRole; signatureBase64: string }>;
}

/** A seal and the identity that applies it. */
export interface SealApplication {
  /** DER SESeal; the signer's certificate must be in its list. */
  readonly seal: Buffer;
  readonly signer: KeyedIdentity;
}

/** What `sealDocument` seals. */
export interface SealDocumentInput {
  readonly kind: SealedDocumentKind;
  readonly mediaType: SealedMediaType;
  readonly content: Buffer;
  readonly suite: 'sm' | 'intl';
  /** The 户籍地 unit seal (a seal of type `SEAL_TYPE.unit`), applied by a signer it lists. */
  readonly unit: SealApplication;
  /** The 承办人's signature: the unit seal if it lists the officer, or the officer's personal seal. */
  readonly officer?: SealApplication;
  /** Signing time. Default now. */
  readonly time?: Date;
}

/** TBS_Sign.propertyInfo of a sealed document: binds the declared kind and media type. */
export function sealedPropertyInfo(kind: SealedDocumentKind, mediaType: SealedMediaType): string {
  return `${kind};${mediaType}`;
}

/**
 * Seal a document: the unit seal first, then the officer's signature, each over the same bytes
 * and naming `kind;mediaType` as what is signed, so a signature cannot be moved to a document
 * declared as something else. Throws GW_ERR_SEAL_ROLE when the unit seal is not a unit seal,
 * and whatever `signDocument` / `signDocumentIntl` throw.
 */
export function sealDocument(input: SealDocumentInput): SealedDocument {
  const unitType = (() => {
    try {
      return decodeSeal(input.unit.seal).seal.eSealInfo.property.type;
    } catch {
      throw new GatewayError('GW_ERR_SEAL_MALFORMED', 'The unit seal is not a GB/T 38540 v4 SESeal');
    }
  })();
  if (unitType !== SEAL_TYPE.unit)
    throw new GatewayError('GW_ERR_SEAL_ROLE', 'The unit seal must be a seal of type 1 (单位印章)');
  const time = input.time ?? new Date();
  const opts = { time, propertyInfo: sealedPropertyInfo(input.kind, input.mediaType) };
  const sign = input.suite === 'sm' ? signDocument : signDocumentIntl;
  const applications: Array<[SealRole, SealApplication]> = [['unit', input.unit]];
  if (input.officer) applications.push(['officer', input.officer]);
  return {
    kind: input.kind,
    mediaType: input.mediaType,
    contentBase64: input.content.toString('base64'),
    suite: input.suite,
    seals: applications.map(([role, a]) => ({
      role,
      signatureBase64: sign(input.content, a.seal, a.signer, opts).toString('base64'),
    })),
  };
}

/** Options of `verifySealedDocuments`. */
export interface VerifySealedDocumentsOptions extends VerifySealOptions {
  /** Require the 承办人's signature next to the unit seal. Default true (DESIGN §3). */
  readonly requireOfficer?: boolean;
}

/** One seal's verdict. */
export interface SealedDocumentCheck {
  readonly index: number;
  readonly kind: string;
  readonly role: SealRole;
  readonly result: SealVerification;
}

/** Verdict over all documents; `failure` names the first problem. */
export type SealedDocumentsVerification =
  | { readonly valid: true; readonly checks: SealedDocumentCheck[] }
  | {
      readonly valid: false;
      readonly checks: SealedDocumentCheck[];
      readonly failure: {
        readonly index: number;
        readonly kind: string;
        readonly role?: SealRole;
        readonly reason: SealFailureReason;
        readonly message: string;
      };
    };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decode64(text: unknown): Buffer | undefined {
  return typeof text === 'string' && BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Check one seal beyond its signatures: suite, what was signed, role. */
function checkOne(
  doc: SealedDocument,
  role: SealRole,
  content: Buffer,
  sig: Buffer,
  opts: VerifySealOptions,
): SealVerification {
  const v = verifySealedDocument(content, sig, opts);
  if (!v.valid) return v;
  if (v.suite !== doc.suite)
    return rejected('malformed', `The ${role} signature is ${v.suite}, the document declares ${doc.suite}`);
  if (v.propertyInfo !== sealedPropertyInfo(doc.kind, doc.mediaType)) {
    return rejected(
      'document-digest',
      `The ${role} signature was made for "${v.propertyInfo}", not this ${doc.kind}`,
    );
  }
  if (role === 'unit' && v.sealType !== SEAL_TYPE.unit)
    return rejected('seal-role', 'The unit seal is not a 单位印章 (type 1)');
  return v;
}

/**
 * Verify every seal of every document: each signature as `verifySealedDocument` does, plus the
 * declared suite, the signed kind/media type, exactly one unit seal (a 单位印章) and — unless
 * `requireOfficer` is false — one officer signature. Never throws.
 */
export function verifySealedDocuments(
  docs: readonly SealedDocument[],
  opts: VerifySealedDocumentsOptions = {},
): SealedDocumentsVerification {
  const checks: SealedDocumentCheck[] = [];
  let failure: Extract<SealedDocumentsVerification, { valid: false }>['failure'] | undefined;
  const fail = (
    index: number,
    kind: string,
    reason: SealFailureReason,
    message: string,
    role?: SealRole,
  ): void => {
    failure ??= { index, kind, reason, message, ...(role ? { role } : {}) };
  };
  docs.forEach((doc, index) => {
    const kind = typeof doc?.kind === 'string' ? doc.kind : 'unknown';
    const content = decode64(doc?.contentBase64);
    if (!content || !Array.isArray(doc.seals))
      return fail(index, kind, 'malformed', 'Document content or seals are malformed');
    const roles = doc.seals.map((s) => s?.role);
    for (const role of ['unit', 'officer'] as const) {
      const n = roles.filter((r) => r === role).length;
      if (n > 1) fail(index, kind, 'malformed', `More than one ${role} seal`, role);
      if (n === 0 && (role === 'unit' || opts.requireOfficer !== false)) {
        fail(
          index,
          kind,
          'seal-missing',
          role === 'unit' ? 'The unit seal is missing' : "The officer's signature is missing",
          role,
        );
      }
    }
    for (const s of doc.seals) {
      const role = s?.role;
      if (role !== 'unit' && role !== 'officer') {
        fail(index, kind, 'malformed', 'A seal has an unknown role');
        continue;
      }
      const sig = decode64(s.signatureBase64);
      const result = sig
        ? checkOne(doc, role, content, sig, opts)
        : rejected('malformed', 'The signature is not base64');
      checks.push({ index, kind, role, result });
      if (!result.valid) fail(index, kind, result.reason, result.message, role);
    }
  });
  if (docs.length === 0) fail(0, 'none', 'seal-missing', 'No sealed documents');
  return failure ? { valid: false, checks, failure } : { valid: true, checks };
}
