import { createHash } from 'node:crypto';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
} from '@peculiar/asn1-cms';
import { AsnConvert, AsnObjectIdentifierConverter, OctetString } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { KeyedIdentity } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { algorithmForKey } from './algorithms.js';
import { PictureDigest, toArrayBuffer } from './asn1.js';
import { encodeTlv, TAG } from './der.js';
import { wholeSeconds } from './make-seal.js';
import { SEAL_OID } from './oids.js';
import type { DecodedSeal } from './read-seal.js';
import { checkSignerMayUse, sealForSigning, type SignDocumentOptions } from './sign-document.js';

/** DER of a simple universal value (`tag` + content). */
function value(tag: number, content: Buffer): ArrayBuffer {
  return toArrayBuffer(encodeTlv(tag, content));
}

/** UTCTime for 1950–2049 as RFC 5652 §11.3 requires, GeneralizedTime otherwise. */
function cmsTime(d: Date): ArrayBuffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? value(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`, 'latin1'))
    : value(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'latin1'));
}

function oidValue(oid: string): ArrayBuffer {
  return AsnObjectIdentifierConverter.toASN(oid).toBER();
}

function attribute(type: string, der: ArrayBuffer): Attribute {
  return new Attribute({ attrType: type, attrValues: [der] });
}

/**
 * The intl suite's seal: a detached CMS SignedData (RFC 5652) over the document, signed with
 * ECDSA P-256 / SHA-256 by the signer, that `openssl cms -verify -binary -content doc` accepts.
 * Besides contentType, messageDigest and signingTime, its signed attributes carry the seal
 * (private OIDs, see `oids.ts`): the whole maker-signed SESeal (with its picture), and for
 * readers that do not parse GB/T 38540, the seal name, esID, SHA-256 picture digest and what is
 * signed. The seal inside may be an SM2 or a P-256 seal; partners on intl typically get a
 * P-256 one so that they need no SM2 to check the maker. `verifySealedDocument` checks it with
 * the same reasons as an SES_Signature.
 *
 * Throws like `signDocument`; a signer key other than P-256 is GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM.
 */
export function signDocumentIntl(
  doc: Buffer,
  seal: Buffer,
  signer: KeyedIdentity,
  opts: SignDocumentOptions = {},
): Buffer {
  const decoded = sealForSigning(seal);
  const time = wholeSeconds(opts.time ?? new Date());
  const cert = checkSignerMayUse(decoded, signer, time);
  if (cert.algorithm !== 'ecdsa-p256') {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      'The intl seal is signed with ECDSA P-256; the signer holds another key',
    );
  }
  const propertyInfo = opts.propertyInfo ?? 'document';
  if (!/^[\x20-\x7e]*$/.test(propertyInfo))
    throw new GatewayError('GW_ERR_SEAL_PARAMETERS', 'propertyInfo must be printable ASCII');
  return encodeIntlSignature(doc, decoded, signer, time, propertyInfo);
}

/**
 * The CMS encoding behind `signDocumentIntl`, without its checks (exported for tests that need
 * signatures a careful signer would refuse to make). Not part of the module's public face.
 */
export function encodeIntlSignature(
  doc: Buffer,
  decoded: DecodedSeal,
  signer: KeyedIdentity,
  time: Date,
  propertyInfo: string,
): Buffer {
  const info = decoded.seal.eSealInfo;
  const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
  const pictureDigest = new PictureDigest({
    algorithm: SEAL_OID.SHA256,
    digest: toArrayBuffer(sha256(new Uint8Array(info.picture.data))),
  });

  const attributes = [
    attribute(SEAL_OID.ATTR_CONTENT_TYPE, oidValue(SEAL_OID.CMS_DATA)),
    attribute(SEAL_OID.ATTR_SIGNING_TIME, cmsTime(time)),
    attribute(SEAL_OID.ATTR_MESSAGE_DIGEST, value(TAG.OCTET_STRING, sha256(doc))),
    attribute(SEAL_OID.ATTR_SEAL_NAME, value(TAG.UTF8_STRING, Buffer.from(info.property.name, 'utf8'))),
    attribute(SEAL_OID.ATTR_ES_ID, value(TAG.IA5_STRING, Buffer.from(info.esID, 'latin1'))),
    attribute(SEAL_OID.ATTR_PICTURE_DIGEST, AsnConvert.serialize(pictureDigest)),
    attribute(SEAL_OID.ATTR_SEAL, toArrayBuffer(decoded.der)),
    attribute(SEAL_OID.ATTR_PROPERTY_INFO, value(TAG.IA5_STRING, Buffer.from(propertyInfo, 'latin1'))),
  ];
  // DER SET OF: elements in ascending order of their encodings (X.690 §11.6). The signature
  // covers the attributes as a universal SET; the SignerInfo carries the same content [0]-tagged.
  const sorted = attributes
    .map((a) => ({ a, der: Buffer.from(AsnConvert.serialize(a)) }))
    .sort((x, y) => Buffer.compare(x.der, y.der));
  const signedAttrsDer = encodeTlv(TAG.SET, Buffer.concat(sorted.map((s) => s.der)));
  const alg = algorithmForKey('ecdsa-p256');
  const signerCert = AsnConvert.parse(signer.certDer, Certificate);

  const signerInfo = new SignerInfo({
    version: 1, // IssuerAndSerialNumber sid
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({
        issuer: signerCert.tbsCertificate.issuer,
        serialNumber: signerCert.tbsCertificate.serialNumber,
      }),
    }),
    digestAlgorithm: new DigestAlgorithmIdentifier({ algorithm: SEAL_OID.SHA256 }),
    signedAttrs: sorted.map((s) => s.a),
    signatureAlgorithm: new SignatureAlgorithmIdentifier({ algorithm: SEAL_OID.ECDSA_WITH_SHA256 }),
    signature: new OctetString(alg.sign(signedAttrsDer, signer.privateKey)),
  });
  const signedData = new SignedData({
    version: 1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([
      new DigestAlgorithmIdentifier({ algorithm: SEAL_OID.SHA256 }),
    ]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: SEAL_OID.CMS_DATA }), // detached
    certificates: new CertificateSet([new CertificateChoices({ certificate: signerCert })]),
    signerInfos: new SignerInfos([signerInfo]),
  });
  return Buffer.from(
    AsnConvert.serialize(
      new ContentInfo({ contentType: SEAL_OID.CMS_SIGNED_DATA, content: AsnConvert.serialize(signedData) }),
    ),
  );
}
