import { AsnConvert } from '@peculiar/asn1-schema';
import type { KeyedIdentity } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { algorithmForKey, keyMatchesCertificate } from './algorithms.js';
import {
  CertInfoList,
  ExtData,
  ExtensionDatas,
  PictureDigest,
  SESeal,
  SesESPictureInfo,
  SesESPropertyInfo,
  SesHeader,
  SesSealInfo,
  toArrayBuffer,
} from './asn1.js';
import { readSealCertificate, type SealCertificate } from './certificate.js';
import { readPngSize } from './png.js';
import { SEAL_OID } from './oids.js';
import { decodeSeal } from './read-seal.js';

/** SES_ESPropertyInfo.type values (GB/T 38540: 1 单位印章, 2 个人印章). */
export const SEAL_TYPE = { unit: 1, personal: 2 } as const;

/** The seal picture. `width`/`height` are the printed size in millimetres, as GB/T 38540 defines them. */
export interface SealPicture {
  readonly type: 'png';
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Everything a seal is made of. */
export interface MakeSealOptions {
  /** 电子印章标识, printable ASCII (IA5String), 1–64 characters. */
  readonly esID: string;
  /** 印章名称, e.g. 贵阳市公安局南明分局户籍专用章. */
  readonly name: string;
  /** `SEAL_TYPE.unit` or `SEAL_TYPE.personal` (other positive numbers are passed through). */
  readonly type: number;
  readonly picture: SealPicture;
  readonly validStart: Date;
  readonly validEnd: Date;
  /** Certificates (DER) of the signers allowed to apply the seal (unit signer, 承办人). */
  readonly signerCerts: readonly Buffer[];
  /** The seal maker (制章者): its certificate goes into the seal, its key signs it. */
  readonly maker: KeyedIdentity;
  /** SES_Header.Vid, the maker's vendor id. Default `TONGBAN`. */
  readonly vendorId?: string;
  /** createDate. Default now. */
  readonly createDate?: Date;
}

const IA5_PRINTABLE = /^[\x20-\x7e]+$/;

function bad(message: string): GatewayError {
  return new GatewayError('GW_ERR_SEAL_PARAMETERS', message);
}

/** GeneralizedTime carries whole seconds here, so the DER is the same however it is re-encoded. */
export function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

function certificate(der: Buffer, what: string): SealCertificate {
  try {
    return readSealCertificate(der);
  } catch (err) {
    throw bad(`${what} is not a usable SM2 or P-256 certificate: ${(err as Error).message}`);
  }
}

function checkOptions(o: MakeSealOptions): void {
  if (o.esID.length > 64 || !IA5_PRINTABLE.test(o.esID))
    throw bad('esID must be 1–64 printable ASCII characters');
  if (o.name.trim() === '') throw bad('The seal needs a name');
  if (!Number.isInteger(o.type) || o.type < 1) throw bad('Seal type must be a positive integer');
  if (o.picture.type !== 'png' || !readPngSize(o.picture.data)) throw bad('The seal picture must be a PNG');
  for (const mm of [o.picture.width, o.picture.height]) {
    if (!Number.isInteger(mm) || mm < 1 || mm > 1000)
      throw bad('Picture width and height are millimetres, 1–1000');
  }
  if (Number.isNaN(o.validStart.getTime()) || Number.isNaN(o.validEnd.getTime()))
    throw bad('Validity dates are invalid');
  if (wholeSeconds(o.validEnd) <= wholeSeconds(o.validStart)) throw bad('validEnd must be after validStart');
  if (o.signerCerts.length === 0) throw bad('A seal must name at least one signer certificate');
  const vid = o.vendorId ?? 'TONGBAN';
  if (!IA5_PRINTABLE.test(vid)) throw bad('vendorId must be printable ASCII');
}

/**
 * Make a GB/T 38540-2020 v4 seal (SESeal, DER) and sign its SES_SealInfo with the maker's key:
 * SM2-with-SM3 for an SM2 maker (the 国密 seal), ECDSA-with-SHA256 for a P-256 maker (the
 * seal the intl suite carries inside CMS). The signer list is written as certListType 1 (whole
 * certificates) so a verifier needs nothing else to check who may use the seal.
 *
 * SES_SealInfo.extDatas gets one non-critical ExtData (`SEAL_OID.EXT_PICTURE_DIGEST`): the
 * digest of the picture bytes, under the maker's signature — see `verify.ts` for why.
 *
 * Throws GW_ERR_SEAL_PARAMETERS for bad options and GW_ERR_CRYPTO_KEY when the maker's key does
 * not belong to its certificate.
 */
export function makeSeal(opts: MakeSealOptions): Buffer {
  checkOptions(opts);
  const maker = certificate(opts.maker.certDer, 'The maker certificate');
  opts.signerCerts.forEach((der, i) => certificate(der, `Signer certificate ${i + 1}`));
  if (!keyMatchesCertificate(opts.maker.privateKey, maker)) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_KEY',
      "The maker's private key does not belong to the maker certificate",
    );
  }
  const alg = algorithmForKey(maker.algorithm);
  const pictureDigest = new PictureDigest({
    algorithm: alg.digestOid,
    digest: toArrayBuffer(alg.digest(opts.picture.data)),
  });
  const sealInfo = new SesSealInfo({
    header: new SesHeader({ vid: opts.vendorId ?? 'TONGBAN' }),
    esID: opts.esID,
    property: new SesESPropertyInfo({
      type: opts.type,
      name: opts.name,
      certListType: 1,
      certList: AsnConvert.serialize(new CertInfoList(opts.signerCerts.map((c) => toArrayBuffer(c)))),
      createDate: wholeSeconds(opts.createDate ?? new Date()),
      validStart: wholeSeconds(opts.validStart),
      validEnd: wholeSeconds(opts.validEnd),
    }),
    picture: new SesESPictureInfo({
      type: 'png',
      data: toArrayBuffer(opts.picture.data),
      width: opts.picture.width,
      height: opts.picture.height,
    }),
    extDatas: new ExtensionDatas([
      new ExtData({ extnID: SEAL_OID.EXT_PICTURE_DIGEST, extnValue: AsnConvert.serialize(pictureDigest) }),
    ]),
  });
  const sealInfoDer = Buffer.from(AsnConvert.serialize(sealInfo));
  const seal = new SESeal({
    eSealInfo: sealInfo,
    cert: toArrayBuffer(opts.maker.certDer),
    signAlgID: alg.signatureOid,
    signedValue: toArrayBuffer(alg.sign(sealInfoDer, opts.maker.privateKey)),
  });
  const der = Buffer.from(AsnConvert.serialize(seal));
  // The signature covers sealInfoDer; make sure the seal carries exactly those bytes.
  if (!decodeSeal(der).sealInfoDer.equals(sealInfoDer)) {
    throw new GatewayError('GW_ERR_INTERNAL', 'Seal encoding is not stable');
  }
  return der;
}
