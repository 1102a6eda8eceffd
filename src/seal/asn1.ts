/**
 * GB/T 38540-2020 (version 4) electronic seal structures as @peculiar/asn1-schema classes.
 *
 *     SESeal ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING, signAlgID OBJECT IDENTIFIER,
 *                           signedValue BIT STRING }
 *     SES_SealInfo ::= SEQUENCE { header SES_Header, esID IA5String, property SES_ESPropertyInfo,
 *                                 picture SES_ESPictureInfo, extDatas ExtensionDatas OPTIONAL }
 *     SES_Header ::= SEQUENCE { ID IA5String, version INTEGER, Vid IA5String }
 *     SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String, certListType INTEGER,
 *                                       certList SES_CertList, createDate GeneralizedTime,
 *                                       validStart GeneralizedTime, validEnd GeneralizedTime }
 *     SES_CertList ::= CHOICE { certs CertInfoList, certDigestList CertDigestList }
 *     CertInfoList ::= SEQUENCE OF OCTET STRING
 *     CertDigestList ::= SEQUENCE OF CertDigestObj
 *     CertDigestObj ::= SEQUENCE { type PrintableString, value OCTET STRING }
 *     SES_ESPictureInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }
 *     ExtensionDatas ::= SEQUENCE OF ExtData
 *     ExtData ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
 *                            extnValue OCTET STRING }
 *     SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OBJECT IDENTIFIER,
 *                                  signature BIT STRING, timeStamp [0] EXPLICIT BIT STRING OPTIONAL }
 *     TBS_Sign ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime,
 *                             dataHash BIT STRING, propertyInfo IA5String,
 *                             extDatas [0] EXPLICIT ExtensionDatas OPTIONAL }
 *
 * SES_CertList's two alternatives are both untagged SEQUENCE OF, so they cannot be told apart by
 * tag; the standard selects one with `certListType` (1 = certs, 2 = digests). The class keeps the
 * raw element (`Any`) and `readCertList` decodes it by that number.
 *
 * The classes are declared without decorator syntax (the project compiles without
 * `experimentalDecorators`); `prop`/`type` below apply asn1-schema's decorators by hand.
 */
import {
  AsnArray,
  AsnConvert,
  AsnObjectIdentifierConverter,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  type IAsnConverter,
} from '@peculiar/asn1-schema';
import { oidText } from './der.js';

function prop(cls: { prototype: object }, name: string, options: Parameters<typeof AsnProp>[0]): void {
  AsnProp(options)(cls.prototype, name);
}

/**
 * OBJECT IDENTIFIER converter that reads arcs with BigInt: asn1js prints sub-identifiers beyond
 * 2^53 as hex, which would garble our 2.25.<UUID> arc (see `oids.ts`).
 */
type AsnOid = ReturnType<typeof AsnObjectIdentifierConverter.toASN>;
export const BIG_OID_CONVERTER: IAsnConverter<string, AsnOid> = {
  fromASN: (value) => {
    const der = new Uint8Array(value.toBER());
    const headerLength = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
    return oidText(der.subarray(headerLength));
  },
  // asn1js encodes big arcs correctly; only its decoding prints them as hex.
  toASN: (value) => AsnObjectIdentifierConverter.toASN(value),
};

/** GB/T 38540 seal version written and accepted. */
export const SES_VERSION = 4;

/** SES_Header. */
export class SesHeader {
  id = 'ES';
  version = SES_VERSION;
  vid = '';
  constructor(params: Partial<SesHeader> = {}) {
    Object.assign(this, params);
  }
}
prop(SesHeader, 'id', { type: AsnPropTypes.IA5String });
prop(SesHeader, 'version', { type: AsnPropTypes.Integer });
prop(SesHeader, 'vid', { type: AsnPropTypes.IA5String });

/** CertInfoList: the signer certificates (DER) allowed to use the seal. */
export class CertInfoList extends AsnArray<ArrayBuffer> {
  constructor(items?: ArrayBuffer[]) {
    super(items);
    Object.setPrototypeOf(this, CertInfoList.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.OctetString })(CertInfoList);

/** CertDigestObj: a digest of an allowed signer certificate. */
export class CertDigestObj {
  type = '';
  value = new ArrayBuffer(0);
  constructor(params: Partial<CertDigestObj> = {}) {
    Object.assign(this, params);
  }
}
prop(CertDigestObj, 'type', { type: AsnPropTypes.PrintableString });
prop(CertDigestObj, 'value', { type: AsnPropTypes.OctetString });

/** CertDigestList. */
export class CertDigestList extends AsnArray<CertDigestObj> {
  constructor(items?: CertDigestObj[]) {
    super(items);
    Object.setPrototypeOf(this, CertDigestList.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Sequence, itemType: CertDigestObj })(CertDigestList);

/** ExtData. */
export class ExtData {
  extnID = '';
  critical = false;
  extnValue = new ArrayBuffer(0);
  constructor(params: Partial<ExtData> = {}) {
    Object.assign(this, params);
  }
}
prop(ExtData, 'extnID', { type: AsnPropTypes.ObjectIdentifier, converter: BIG_OID_CONVERTER });
prop(ExtData, 'critical', { type: AsnPropTypes.Boolean, defaultValue: false });
prop(ExtData, 'extnValue', { type: AsnPropTypes.OctetString });

/** ExtensionDatas. */
export class ExtensionDatas extends AsnArray<ExtData> {
  constructor(items?: ExtData[]) {
    super(items);
    Object.setPrototypeOf(this, ExtensionDatas.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Sequence, itemType: ExtData })(ExtensionDatas);

/** SES_ESPropertyInfo. `certList` is the raw DER of the SES_CertList alternative. */
export class SesESPropertyInfo {
  type = 1;
  name = '';
  certListType = 1;
  certList = new ArrayBuffer(0);
  createDate = new Date(0);
  validStart = new Date(0);
  validEnd = new Date(0);
  constructor(params: Partial<SesESPropertyInfo> = {}) {
    Object.assign(this, params);
  }
}
prop(SesESPropertyInfo, 'type', { type: AsnPropTypes.Integer });
prop(SesESPropertyInfo, 'name', { type: AsnPropTypes.Utf8String });
prop(SesESPropertyInfo, 'certListType', { type: AsnPropTypes.Integer });
prop(SesESPropertyInfo, 'certList', { type: AsnPropTypes.Any });
prop(SesESPropertyInfo, 'createDate', { type: AsnPropTypes.GeneralizedTime });
prop(SesESPropertyInfo, 'validStart', { type: AsnPropTypes.GeneralizedTime });
prop(SesESPropertyInfo, 'validEnd', { type: AsnPropTypes.GeneralizedTime });

/** SES_ESPictureInfo. `width`/`height` are the display size in millimetres (GB/T 38540). */
export class SesESPictureInfo {
  type = 'png';
  data = new ArrayBuffer(0);
  width = 0;
  height = 0;
  constructor(params: Partial<SesESPictureInfo> = {}) {
    Object.assign(this, params);
  }
}
prop(SesESPictureInfo, 'type', { type: AsnPropTypes.IA5String });
prop(SesESPictureInfo, 'data', { type: AsnPropTypes.OctetString });
prop(SesESPictureInfo, 'width', { type: AsnPropTypes.Integer });
prop(SesESPictureInfo, 'height', { type: AsnPropTypes.Integer });

/** SES_SealInfo: what the seal maker signs. */
export class SesSealInfo {
  header = new SesHeader();
  esID = '';
  property = new SesESPropertyInfo();
  picture = new SesESPictureInfo();
  extDatas?: ExtensionDatas;
  constructor(params: Partial<SesSealInfo> = {}) {
    Object.assign(this, params);
  }
}
prop(SesSealInfo, 'header', { type: SesHeader });
prop(SesSealInfo, 'esID', { type: AsnPropTypes.IA5String });
prop(SesSealInfo, 'property', { type: SesESPropertyInfo });
prop(SesSealInfo, 'picture', { type: SesESPictureInfo });
prop(SesSealInfo, 'extDatas', { type: ExtensionDatas, optional: true });

/** SESeal: the seal, signed by its maker. */
export class SESeal {
  eSealInfo = new SesSealInfo();
  cert = new ArrayBuffer(0);
  signAlgID = '';
  signedValue = new ArrayBuffer(0);
  constructor(params: Partial<SESeal> = {}) {
    Object.assign(this, params);
  }
}
prop(SESeal, 'eSealInfo', { type: SesSealInfo });
prop(SESeal, 'cert', { type: AsnPropTypes.OctetString });
prop(SESeal, 'signAlgID', { type: AsnPropTypes.ObjectIdentifier });
prop(SESeal, 'signedValue', { type: AsnPropTypes.BitString });

/** TBS_Sign: what the signer signs. */
export class TbsSign {
  version = SES_VERSION;
  eseal = new SESeal();
  timeInfo = new Date(0);
  dataHash = new ArrayBuffer(0);
  propertyInfo = '';
  extDatas?: ExtensionDatas;
  constructor(params: Partial<TbsSign> = {}) {
    Object.assign(this, params);
  }
}
prop(TbsSign, 'version', { type: AsnPropTypes.Integer });
prop(TbsSign, 'eseal', { type: SESeal });
prop(TbsSign, 'timeInfo', { type: AsnPropTypes.GeneralizedTime });
prop(TbsSign, 'dataHash', { type: AsnPropTypes.BitString });
prop(TbsSign, 'propertyInfo', { type: AsnPropTypes.IA5String });
prop(TbsSign, 'extDatas', { type: ExtensionDatas, context: 0, implicit: false, optional: true });

/** SES_Signature: a document signature carrying the seal. */
export class SesSignature {
  toSign = new TbsSign();
  cert = new ArrayBuffer(0);
  signatureAlgID = '';
  signature = new ArrayBuffer(0);
  timeStamp?: ArrayBuffer;
  constructor(params: Partial<SesSignature> = {}) {
    Object.assign(this, params);
  }
}
prop(SesSignature, 'toSign', { type: TbsSign });
prop(SesSignature, 'cert', { type: AsnPropTypes.OctetString });
prop(SesSignature, 'signatureAlgID', { type: AsnPropTypes.ObjectIdentifier });
prop(SesSignature, 'signature', { type: AsnPropTypes.BitString });
prop(SesSignature, 'timeStamp', {
  type: AsnPropTypes.BitString,
  context: 0,
  implicit: false,
  optional: true,
});

/** PictureDigest ::= SEQUENCE { algorithm OBJECT IDENTIFIER, digest OCTET STRING } (ours, see oids.ts). */
export class PictureDigest {
  algorithm = '';
  digest = new ArrayBuffer(0);
  constructor(params: Partial<PictureDigest> = {}) {
    Object.assign(this, params);
  }
}
prop(PictureDigest, 'algorithm', { type: AsnPropTypes.ObjectIdentifier });
prop(PictureDigest, 'digest', { type: AsnPropTypes.OctetString });

/** The signer list of a seal, decoded by `certListType`. */
export type CertList =
  | { readonly type: 1; readonly certs: Buffer[] }
  | { readonly type: 2; readonly digests: Array<{ readonly type: string; readonly value: Buffer }> };

/** Decode SES_ESPropertyInfo.certList by its certListType; throws on an unknown type. */
export function readCertList(property: SesESPropertyInfo): CertList {
  if (property.certListType === 1) {
    const list = AsnConvert.parse(property.certList, CertInfoList);
    return { type: 1, certs: list.map((c) => Buffer.from(c)) };
  }
  if (property.certListType === 2) {
    const list = AsnConvert.parse(property.certList, CertDigestList);
    return { type: 2, digests: list.map((d) => ({ type: d.type, value: Buffer.from(d.value) })) };
  }
  throw new Error(`unknown certListType ${property.certListType}`);
}

/** ArrayBuffer copy of a Buffer's bytes (asn1-schema wants ArrayBuffers). */
export function toArrayBuffer(buf: Uint8Array): ArrayBuffer {
  return new Uint8Array(buf).buffer;
}
