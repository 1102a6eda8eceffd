/**
 * Object identifiers of the seal module.
 *
 * Our own identifiers live under one private arc, `2.25.316079192162558520442205422875565711497`:
 * the ITU-T X.667 / ISO/IEC 9834-8 arc for UUIDs (2.25.<UUID as a decimal integer>, here UUID
 * edcaa35a-6a03-4d17-a5e7-ef254c7d6089). Anybody may mint such an arc without registration and it
 * cannot collide with an assigned one — unlike borrowing a number under 1.2.156 (the Chinese
 * national arc, whose 10197 branch belongs to OSCCA) or inventing an IANA enterprise number.
 * The price is a 128-bit sub-identifier that some ASN.1 libraries print oddly, which is why the
 * seal module decodes OIDs with BigInt itself (see `der.ts`).
 *
 *     <arc>.1      extensions inside GB/T 38540 structures
 *     <arc>.1.1    picture digest (ExtData in SES_SealInfo.extDatas)
 *     <arc>.2      CMS signed attributes of the intl seal (`intl-seal.ts`)
 *     <arc>.2.1    sealName     UTF8String
 *     <arc>.2.2    esID         IA5String
 *     <arc>.2.3    pictureDigest PictureDigest
 *     <arc>.2.4    seal         SESeal (DER, the whole maker-signed seal with its picture)
 *     <arc>.2.5    propertyInfo IA5String (what is signed, as TBS_Sign.propertyInfo)
 *
 *     PictureDigest ::= SEQUENCE { algorithm OBJECT IDENTIFIER, digest OCTET STRING }
 */
export const TONGBAN_ARC = '2.25.316079192162558520442205422875565711497';

/** All OIDs the seal module writes or reads. */
export const SEAL_OID = {
  /** SM2 with SM3 signature (GM/T 0006). */
  SM2_WITH_SM3: '1.2.156.10197.1.501',
  /** SM3 digest (GM/T 0006). */
  SM3: '1.2.156.10197.1.401',
  /** ecdsa-with-SHA256 (RFC 5758). */
  ECDSA_WITH_SHA256: '1.2.840.10045.4.3.2',
  /** SHA-256 (NIST). */
  SHA256: '2.16.840.1.101.3.4.2.1',
  /** id-ecPublicKey (RFC 5480). */
  EC_PUBLIC_KEY: '1.2.840.10045.2.1',
  /** The SM2 curve as EC parameters. */
  SM2_CURVE: '1.2.156.10197.1.301',
  /** NIST P-256 (prime256v1). */
  P256_CURVE: '1.2.840.10045.3.1.7',
  /** ExtData in SES_SealInfo: PictureDigest of SES_ESPictureInfo.data. */
  EXT_PICTURE_DIGEST: `${TONGBAN_ARC}.1.1`,
  /** CMS signed attribute: seal name. */
  ATTR_SEAL_NAME: `${TONGBAN_ARC}.2.1`,
  /** CMS signed attribute: esID. */
  ATTR_ES_ID: `${TONGBAN_ARC}.2.2`,
  /** CMS signed attribute: PictureDigest. */
  ATTR_PICTURE_DIGEST: `${TONGBAN_ARC}.2.3`,
  /** CMS signed attribute: the whole SESeal. */
  ATTR_SEAL: `${TONGBAN_ARC}.2.4`,
  /** CMS signed attribute: what is signed (kind and media type). */
  ATTR_PROPERTY_INFO: `${TONGBAN_ARC}.2.5`,
  // RFC 5652 / RFC 5035
  CMS_DATA: '1.2.840.113549.1.7.1',
  CMS_SIGNED_DATA: '1.2.840.113549.1.7.2',
  ATTR_CONTENT_TYPE: '1.2.840.113549.1.9.3',
  ATTR_MESSAGE_DIGEST: '1.2.840.113549.1.9.4',
  ATTR_SIGNING_TIME: '1.2.840.113549.1.9.5',
  ATTR_SIGNING_CERTIFICATE_V2: '1.2.840.113549.1.9.16.2.47',
} as const;
