import { createHash } from 'node:crypto';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { algorithmForKey } from './algorithms.js';
import { PictureDigest } from './asn1.js';
import { readSealCertificate, type SealCertificate } from './certificate.js';
import { checkSealMaker, checkSealUse, checkSigningTime, isRejected } from './check-seal.js';
import { child, children, DerError, oidText, readTlv, readWhole, slice, TAG } from './der.js';
import { SEAL_OID } from './oids.js';
import { decodeSeal, type DecodedSeal } from './read-seal.js';
import { rejected, type SealVerification } from './verification.js';
import type { VerifySealOptions } from './verify.js';

/** The signed attributes, one DER value each, keyed by dotted OID (read with BigInt arcs). */
function readAttributes(signedAttrsRaw: Buffer): Map<string, Buffer> {
  // SignerInfo carries them as [0] IMPLICIT; the signature covers the universal SET form.
  const set = readWhole(signedAttrsRaw, TAG.SET);
  const out = new Map<string, Buffer>();
  for (const attr of children(signedAttrsRaw, set)) {
    const [type, values, ...rest] = children(signedAttrsRaw, attr);
    if (!type || type.tag !== TAG.OID || !values || values.tag !== TAG.SET || rest.length)
      throw new DerError('bad Attribute');
    const oid = oidText(signedAttrsRaw.subarray(type.start, type.end));
    const vals = children(signedAttrsRaw, values);
    if (vals.length !== 1 || out.has(oid))
      throw new DerError('signed attributes must be single-valued and unique');
    out.set(oid, slice(signedAttrsRaw, vals[0]!));
  }
  return out;
}

/** Content octets of a value that must be one `tag` element (`what` names it in errors). */
function content(der: Buffer, tag: number, what: string): Buffer {
  if (der.length === 0) throw new DerError(`${what} is missing`);
  const tlv = readWhole(der, tag);
  return der.subarray(tlv.start, tlv.end);
}

function readCmsTime(der: Buffer): Date {
  const tlv = readTlv(der, 0);
  const text = der.subarray(tlv.start, tlv.end).toString('latin1');
  const m =
    tlv.tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{10})Z$/.exec(text)
      : tlv.tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{10})Z$/.exec(text)
        : null;
  if (!m) throw new DerError('signingTime is not a UTCTime or GeneralizedTime in Zulu time');
  let year = Number(m[1]);
  if (m[1]!.length === 2) year += year < 50 ? 2000 : 1900;
  const r = m[2]!;
  const date = new Date(
    Date.UTC(
      year,
      Number(r.slice(0, 2)) - 1,
      Number(r.slice(2, 4)),
      Number(r.slice(4, 6)),
      Number(r.slice(6, 8)),
      Number(r.slice(8, 10)),
    ),
  );
  if (Number.isNaN(date.getTime())) throw new DerError('signingTime is not a valid time');
  return date;
}

/**
 * The raw pieces the signatures cover, walked by hand: the SignerInfo's `[0] IMPLICIT` signed
 * attributes re-tagged as the universal SET the signature covers (RFC 5652 §5.4), and the
 * included certificates as received (compared byte for byte with the seal's signer list).
 * Re-encoding parsed objects could differ from what was signed.
 */
function rawPieces(cms: Buffer): { signedAttrsDer: Buffer; certs: Buffer[] } {
  const outer = readWhole(cms, TAG.SEQUENCE);
  const wrapped = child(cms, outer, 1, TAG.CONTEXT_0);
  const signedData = child(cms, wrapped, 0, TAG.SEQUENCE);
  const fields = children(cms, signedData);
  const certSet = fields.find((f) => f.tag === TAG.CONTEXT_0);
  const certs = certSet
    ? children(cms, certSet)
        .filter((c) => c.tag === TAG.SEQUENCE)
        .map((c) => slice(cms, c))
    : [];
  const infos = fields[fields.length - 1];
  if (!infos || infos.tag !== TAG.SET) throw new DerError('SignedData has no signerInfos');
  const signerInfo = child(cms, infos, 0, TAG.SEQUENCE);
  const attrs = children(cms, signerInfo).find((f) => f.tag === TAG.CONTEXT_0);
  if (!attrs) throw new DerError('signed attributes are required');
  return {
    signedAttrsDer: Buffer.concat([Buffer.from([TAG.SET]), cms.subarray(attrs.begin + 1, attrs.end)]),
    certs,
  };
}

/** What an intl seal CMS holds, after shape checks. */
export interface IntlParts {
  readonly attrs: Map<string, Buffer>;
  readonly signedAttrsDer: Buffer;
  readonly signature: Buffer;
  readonly signer: SealCertificate;
  readonly seal: DecodedSeal;
  readonly signedAt: Date;
  /** The propertyInfo attribute, '' when absent. */
  readonly propertyInfo: string;
}

/** Decode an intl seal CMS (shape only, no signature checks). Throws DerError or Error. */
export function readIntlParts(cms: Buffer): IntlParts {
  readWhole(cms, TAG.SEQUENCE);
  const info = AsnConvert.parse(cms, ContentInfo);
  if (info.contentType !== SEAL_OID.CMS_SIGNED_DATA) throw new DerError('not a CMS SignedData');
  const sd = AsnConvert.parse(info.content, SignedData);
  if (sd.encapContentInfo.eContentType !== SEAL_OID.CMS_DATA)
    throw new DerError('content type is not id-data');
  if (sd.encapContentInfo.eContent)
    throw new DerError('expected a detached signature (the document travels separately)');
  if (sd.signerInfos.length !== 1) throw new DerError('exactly one signer is expected');
  const si = sd.signerInfos[0]!;
  if (
    si.digestAlgorithm.algorithm !== SEAL_OID.SHA256 ||
    si.signatureAlgorithm.algorithm !== SEAL_OID.ECDSA_WITH_SHA256
  ) {
    throw new DerError('only ECDSA with SHA-256 is accepted');
  }
  const { signedAttrsDer, certs } = rawPieces(cms);
  const attrs = readAttributes(signedAttrsDer);
  const iasn = si.sid.issuerAndSerialNumber;
  if (!iasn) throw new DerError('the signer must be named by issuer and serial number');
  const wantedIssuer = Buffer.from(AsnConvert.serialize(iasn.issuer));
  const wantedSerial = Buffer.from(iasn.serialNumber);
  const signerDer = certs.find((der) => {
    const tbs = AsnConvert.parse(der, Certificate).tbsCertificate;
    return (
      Buffer.from(AsnConvert.serialize(tbs.issuer)).equals(wantedIssuer) &&
      Buffer.from(tbs.serialNumber).equals(wantedSerial)
    );
  });
  if (!signerDer) throw new DerError("the signer's certificate is not included");
  const signer = readSealCertificate(signerDer);
  const sealDer = attrs.get(SEAL_OID.ATTR_SEAL);
  const timeDer = attrs.get(SEAL_OID.ATTR_SIGNING_TIME);
  if (!sealDer || !timeDer) throw new DerError('the seal and signingTime attributes are required');
  const propertyDer = attrs.get(SEAL_OID.ATTR_PROPERTY_INFO);
  const propertyInfo = propertyDer
    ? content(propertyDer, TAG.IA5_STRING, 'propertyInfo').toString('latin1')
    : '';
  return {
    attrs,
    signedAttrsDer,
    signature: Buffer.from(si.signature.buffer),
    signer,
    seal: decodeSeal(sealDer),
    signedAt: readCmsTime(timeDer),
    propertyInfo,
  };
}

/** The flat seal attributes must say what the seal says; a different picture digest is a swapped picture. */
function checkFlatAttributes(p: IntlParts): SealVerification | undefined {
  const info = p.seal.seal.eSealInfo;
  const name = content(
    p.attrs.get(SEAL_OID.ATTR_SEAL_NAME) ?? Buffer.alloc(0),
    TAG.UTF8_STRING,
    'sealName',
  ).toString('utf8');
  const esID = content(p.attrs.get(SEAL_OID.ATTR_ES_ID) ?? Buffer.alloc(0), TAG.IA5_STRING, 'esID').toString(
    'latin1',
  );
  if (name !== info.property.name || esID !== info.esID) {
    return rejected('malformed', 'The seal name or esID attribute disagrees with the seal');
  }
  const pd = AsnConvert.parse(p.attrs.get(SEAL_OID.ATTR_PICTURE_DIGEST) ?? Buffer.alloc(0), PictureDigest);
  const picture = new Uint8Array(info.picture.data);
  if (pd.algorithm !== SEAL_OID.SHA256)
    return rejected('malformed', 'The picture digest attribute must be SHA-256');
  if (!createHash('sha256').update(picture).digest().equals(Buffer.from(pd.digest))) {
    return rejected('picture-swapped', 'The seal picture does not match the signed picture digest');
  }
  return undefined;
}

/**
 * Verify the intl seal (`signDocumentIntl`): the same checks and reasons as an SES_Signature
 * (see `verifySealedDocument`), with the CMS signature as the signer's signature and its
 * messageDigest (SHA-256) as the document digest. Never throws.
 */
export function verifyIntlSealedDocument(
  doc: Buffer,
  cms: Buffer,
  opts: VerifySealOptions = {},
): SealVerification {
  let parts: IntlParts;
  let flat: SealVerification | undefined;
  try {
    parts = readIntlParts(cms);
    flat = checkFlatAttributes(parts);
  } catch (err) {
    return rejected(
      'malformed',
      `Not a seal CMS SignedData: ${err instanceof DerError ? err.message : 'cannot be decoded'}`,
    );
  }
  if (flat) return flat;
  const made = checkSealMaker(parts.seal, opts.trustedMakerCerts);
  if (isRejected(made)) return made;
  const alg = algorithmForKey('ecdsa-p256');
  if (
    parts.signer.algorithm !== 'ecdsa-p256' ||
    !alg.verify(parts.signedAttrsDer, parts.signature, parts.signer.publicKey)
  ) {
    return rejected('signer-signature', "The signer's CMS signature does not verify");
  }
  const used =
    checkSealUse(parts.seal, parts.signer, parts.signedAt) ??
    checkSigningTime(parts.signedAt, opts.now ?? new Date());
  if (used) return used;
  let contentType: string;
  let messageDigest: Buffer;
  try {
    contentType = oidText(
      content(parts.attrs.get(SEAL_OID.ATTR_CONTENT_TYPE) ?? Buffer.alloc(0), TAG.OID, 'contentType'),
    );
    messageDigest = content(
      parts.attrs.get(SEAL_OID.ATTR_MESSAGE_DIGEST) ?? Buffer.alloc(0),
      TAG.OCTET_STRING,
      'messageDigest',
    );
  } catch {
    return rejected('malformed', 'contentType and messageDigest attributes are required');
  }
  if (contentType !== SEAL_OID.CMS_DATA) return rejected('malformed', 'contentType attribute is not id-data');
  if (!alg.digest(doc).equals(messageDigest)) {
    return rejected('document-digest', 'The document does not match the signed messageDigest');
  }
  const info = parts.seal.seal.eSealInfo;
  return {
    valid: true,
    suite: 'intl',
    sealName: info.property.name,
    esID: info.esID,
    sealType: info.property.type,
    signerSubject: parts.signer.subject,
    makerSubject: made.maker.subject,
    signedAt: parts.signedAt,
    propertyInfo: parts.propertyInfo,
    makerTrusted: made.trusted,
  };
}
