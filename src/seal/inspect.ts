import { GatewayError } from '../errors.js';
import { readSealCertificate } from './certificate.js';
import { DerError, readTlv, TAG } from './der.js';
import { readIntlParts } from './intl-verify.js';
import { readPngSize } from './png.js';
import { decodeSeal, decodeSesSignature, type DecodedSeal } from './read-seal.js';

/** The fields of a seal, for people (`tongban seal inspect`). */
export interface SealDescription {
  readonly esID: string;
  readonly name: string;
  /** SES_ESPropertyInfo.type (1 unit seal, 2 personal seal). */
  readonly type: number;
  readonly vendorId: string;
  readonly createDate: Date;
  readonly validStart: Date;
  readonly validEnd: Date;
  readonly certListType: number;
  /** Subjects of the allowed signer certificates, or `<type>:<hex>` for digest lists. */
  readonly signers: string[];
  readonly picture: {
    readonly type: string;
    readonly bytes: number;
    /** Printed size in millimetres (GB/T 38540). */
    readonly widthMm: number;
    readonly heightMm: number;
    /** Pixel size from the PNG header, when it is a PNG. */
    readonly pixels?: { readonly width: number; readonly height: number };
  };
  readonly makerSubject: string;
  readonly signAlgorithm: string;
  readonly hasPictureDigest: boolean;
}

/** The fields of a seal file: a bare seal, or a document signature with the seal inside. */
export interface SealFileDescription {
  readonly format: 'SESeal' | 'SES_Signature' | 'CMS';
  readonly seal: SealDescription;
  /** For signatures: who signed, when, what. */
  readonly signature?: {
    readonly signerSubject: string;
    readonly signedAt: Date;
    readonly propertyInfo: string;
    readonly algorithm: string;
    readonly hasTimeStamp: boolean;
  };
  /** The decoded seal, for extracting the picture. */
  readonly decoded: DecodedSeal;
}

function subjectOf(der: Uint8Array): string {
  try {
    return readSealCertificate(der).subject;
  } catch {
    return '(unreadable certificate)';
  }
}

function describeSeal(d: DecodedSeal): SealDescription {
  const info = d.seal.eSealInfo;
  const p = info.property;
  const data = new Uint8Array(info.picture.data);
  const pixels = readPngSize(data);
  return {
    esID: info.esID,
    name: p.name,
    type: p.type,
    vendorId: info.header.vid,
    createDate: p.createDate,
    validStart: p.validStart,
    validEnd: p.validEnd,
    certListType: p.certListType,
    signers:
      d.certList.type === 1
        ? d.certList.certs.map(subjectOf)
        : d.certList.digests.map((x) => `${x.type}:${x.value.toString('hex')}`),
    picture: {
      type: info.picture.type,
      bytes: data.length,
      widthMm: info.picture.width,
      heightMm: info.picture.height,
      ...(pixels ? { pixels } : {}),
    },
    makerSubject: subjectOf(new Uint8Array(d.seal.cert)),
    signAlgorithm: d.seal.signAlgID,
    hasPictureDigest: d.pictureDigest !== undefined,
  };
}

/**
 * Describe a DER SESeal, SES_Signature or intl seal CMS without judging it (use
 * `verifySealedDocument` for that). Throws GW_ERR_SEAL_MALFORMED when it is none of them.
 */
export function describeSealFile(der: Buffer): SealFileDescription {
  try {
    const outer = readTlv(der, 0);
    const first = readTlv(der, outer.start, outer.end);
    if (first.tag === TAG.OID) {
      const parts = readIntlParts(der);
      return {
        format: 'CMS',
        seal: describeSeal(parts.seal),
        decoded: parts.seal,
        signature: {
          signerSubject: parts.signer.subject,
          signedAt: parts.signedAt,
          propertyInfo: parts.propertyInfo,
          algorithm: 'ecdsa-with-SHA256',
          hasTimeStamp: false,
        },
      };
    }
    // SESeal starts SES_SealInfo → SES_Header (a SEQUENCE); SES_Signature starts TBS_Sign → version.
    const inner = readTlv(der, first.start, first.end);
    if (inner.tag === TAG.SEQUENCE) {
      const seal = decodeSeal(der);
      return { format: 'SESeal', seal: describeSeal(seal), decoded: seal };
    }
    const sig = decodeSesSignature(der);
    return {
      format: 'SES_Signature',
      seal: describeSeal(sig.seal),
      decoded: sig.seal,
      signature: {
        signerSubject: subjectOf(new Uint8Array(sig.signature.cert)),
        signedAt: sig.signature.toSign.timeInfo,
        propertyInfo: sig.signature.toSign.propertyInfo,
        algorithm: sig.signature.signatureAlgID,
        hasTimeStamp: sig.signature.timeStamp !== undefined,
      },
    };
  } catch (err) {
    const why = err instanceof DerError ? `: ${err.message}` : '';
    throw new GatewayError(
      'GW_ERR_SEAL_MALFORMED',
      `Not a GB/T 38540 seal, seal signature or seal CMS${why}`,
    );
  }
}
