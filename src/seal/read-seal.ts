import { AsnConvert } from '@peculiar/asn1-schema';
import { PictureDigest, readCertList, SES_VERSION, SESeal, SesSignature, type CertList } from './asn1.js';
import { child, DerError, readWhole, slice, TAG } from './der.js';
import { SEAL_OID } from './oids.js';

/** A parsed SESeal with the exact bytes its maker signed. */
export interface DecodedSeal {
  /** The whole SESeal as received. */
  readonly der: Buffer;
  /** DER(SES_SealInfo) as received: the maker's signed bytes. */
  readonly sealInfoDer: Buffer;
  readonly seal: SESeal;
  readonly certList: CertList;
  /** Our picture-digest ExtData, when the seal carries one. */
  readonly pictureDigest?: { readonly algorithm: string; readonly digest: Buffer };
}

/** A parsed SES_Signature with the exact bytes its signer signed. */
export interface DecodedSignature {
  readonly der: Buffer;
  /** DER(TBS_Sign) as received: the signer's signed bytes. */
  readonly tbsDer: Buffer;
  readonly signature: SesSignature;
  readonly seal: DecodedSeal;
}

function parse<T>(der: Buffer, type: new () => T, what: string): T {
  try {
    return AsnConvert.parse(der, type);
  } catch {
    throw new DerError(`${what} does not decode as GB/T 38540 ASN.1`);
  }
}

/** IA5String content must be 7-bit; asn1js does not check it, so we do. */
function ia5(value: string, what: string): void {
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) throw new DerError(`${what} is not an IA5String`);
  }
}

/** Decode and shape-check a DER SESeal (version 4). Throws DerError. */
export function decodeSeal(input: Uint8Array): DecodedSeal {
  const der = Buffer.from(input);
  const outer = readWhole(der, TAG.SEQUENCE);
  const sealInfoDer = slice(der, child(der, outer, 0, TAG.SEQUENCE));
  const seal = parse(der, SESeal, 'SESeal');
  const info = seal.eSealInfo;
  if (info.header.id !== 'ES') throw new DerError('SES_Header.ID is not "ES"');
  if (info.header.version !== SES_VERSION)
    throw new DerError(`SES_Header.version ${info.header.version} is not 4`);
  ia5(info.header.vid, 'SES_Header.Vid');
  ia5(info.esID, 'esID');
  ia5(info.picture.type, 'picture type');
  let certList: CertList;
  try {
    certList = readCertList(info.property);
  } catch {
    throw new DerError('SES_ESPropertyInfo.certList does not match its certListType');
  }
  let pictureDigest: DecodedSeal['pictureDigest'];
  for (const ext of info.extDatas ?? []) {
    if (ext.extnID === SEAL_OID.EXT_PICTURE_DIGEST) {
      if (pictureDigest) throw new DerError('picture digest extension appears twice');
      const pd = parse(Buffer.from(ext.extnValue), PictureDigest, 'picture digest extension');
      pictureDigest = { algorithm: pd.algorithm, digest: Buffer.from(pd.digest) };
    } else if (ext.critical) {
      throw new DerError(`unknown critical seal extension ${ext.extnID}`);
    }
  }
  return { der, sealInfoDer, seal, certList, ...(pictureDigest ? { pictureDigest } : {}) };
}

/** Decode and shape-check a DER SES_Signature (version 4). Throws DerError. */
export function decodeSesSignature(input: Uint8Array): DecodedSignature {
  const der = Buffer.from(input);
  const outer = readWhole(der, TAG.SEQUENCE);
  const tbsTlv = child(der, outer, 0, TAG.SEQUENCE);
  const sealTlv = child(der, tbsTlv, 1, TAG.SEQUENCE);
  const signature = parse(der, SesSignature, 'SES_Signature');
  if (signature.toSign.version !== SES_VERSION)
    throw new DerError(`TBS_Sign.version ${signature.toSign.version} is not 4`);
  ia5(signature.toSign.propertyInfo, 'propertyInfo');
  const seal = decodeSeal(slice(der, sealTlv));
  return { der, tbsDer: slice(der, tbsTlv), signature, seal };
}
