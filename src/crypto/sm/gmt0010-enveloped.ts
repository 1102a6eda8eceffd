import { randomBytes } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { KeyedIdentity } from '../suite.js';
import { DerReader, derTlv, derUnsigned, readUnsigned, TAG } from './der.js';
import {
  CTX0,
  CTX0_PRIMITIVE,
  CTX1,
  SET,
  encodeAlgorithm,
  encodeContentInfo,
  encodeIssuerAndSerial,
  openContentInfo,
  readAlgorithm,
  readCertRef,
  refersTo,
  type AlgorithmId,
} from './gmt0010-common.js';
import { decodeOid, encodeOid, OID } from './oids.js';
import type { Sm2 } from './sm2.js';
import { readSm2Certificate } from './sm2-cert-info.js';
import {
  SM4_GCM_IV_BYTES,
  SM4_GCM_TAG_BYTES,
  SM4_KEY_BYTES,
  sm4GcmDecrypt,
  sm4GcmEncrypt,
  type Sm4GcmImpl,
} from './sm4-gcm.js';

/**
 * GM/T 0010 EnvelopedData:
 *   ContentInfo { 1.2.156.10197.6.1.4.2.3, [0] EnvelopedData { version 0,
 *     recipientInfos { KeyTransRecipientInfo { version 0, issuerAndSerialNumber,
 *       keyEncryptionAlgorithm SM2 encryption (1.2.156.10197.1.301.3),
 *       encryptedKey = GM/T 0009 SM2Cipher DER of a fresh 16-byte SM4 key } },
 *     encryptedContentInfo { 1.2.156.10197.6.1.4.2.1, SM4-GCM + GCMParameters, [0] ciphertext ‖ tag } } }
 *
 * Content cipher — our choice, documented: SM4-GCM (OID 1.2.156.10197.1.104.8) rather than the
 * SM4-CBC that GM/T 0010 examples show, because CBC alone is malleable and a tampered envelope
 * must be refused before anything inside it is parsed. Parameters follow RFC 5084's
 * GCMParameters ::= SEQUENCE { nonce OCTET STRING (12), icvLen INTEGER (16) }. EnvelopedData has
 * no field for the tag (RFC 5083 AuthEnvelopedData has, but no GM/T 0010 content type), so
 * encryptedContent = ciphertext ‖ 16-byte tag, the layout GCM implementations commonly emit.
 */

const GM_DATA_OID = encodeOid(OID.GM_DATA);

/** SM4-GCM follows the SM2 backend, so a forced JS fallback exercises JavaScript end to end. */
function gcmImplFor(sm2: Sm2): Sm4GcmImpl {
  return sm2.backend === 'native' ? 'native' : 'js';
}

function gcmParams(iv: Buffer): Buffer {
  return derTlv(TAG.SEQUENCE, derTlv(TAG.OCTET_STRING, iv), derUnsigned(BigInt(SM4_GCM_TAG_BYTES)));
}

function parseGcmParams(alg: AlgorithmId): Buffer {
  if (alg.oid !== OID.SM4_GCM) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      `Content encryption ${alg.oid} is not SM4-GCM`,
    );
  }
  if (!alg.params) throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'SM4-GCM parameters are missing');
  const top = new DerReader(alg.params, 'GCMParameters');
  const p = top.enter(top.next(TAG.SEQUENCE));
  top.finish();
  const nonce = p.next(TAG.OCTET_STRING);
  const icv = p.optional(TAG.INTEGER);
  p.finish();
  // RFC 5084: icvLen DEFAULT 12; we only produce and accept 16.
  const icvLen = icv ? readUnsigned(alg.params, icv) : 12n;
  if (nonce.end - nonce.start !== SM4_GCM_IV_BYTES || icvLen !== BigInt(SM4_GCM_TAG_BYTES)) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      'Only 12-byte nonces with 16-byte tags are supported',
    );
  }
  return p.content(nonce);
}

/** Encrypt `content` for the holder of `recipientCertDer`. */
export async function encryptGmt0010(sm2: Sm2, content: Buffer, recipientCertDer: Buffer): Promise<Buffer> {
  const cert = readSm2Certificate(recipientCertDer);
  const cek = randomBytes(SM4_KEY_BYTES);
  const iv = randomBytes(SM4_GCM_IV_BYTES);
  const { ciphertext, tag } = sm4GcmEncrypt(cek, iv, content, undefined, gcmImplFor(sm2));
  const encryptedKey = await sm2.encryptAsync(cek, cert.publicKey);
  cek.fill(0);
  const ktri = derTlv(
    TAG.SEQUENCE,
    derUnsigned(0n),
    encodeIssuerAndSerial(cert),
    encodeAlgorithm(OID.SM2_ENCRYPT),
    derTlv(TAG.OCTET_STRING, encryptedKey),
  );
  const eci = derTlv(
    TAG.SEQUENCE,
    GM_DATA_OID,
    encodeAlgorithm(OID.SM4_GCM, gcmParams(iv)),
    derTlv(CTX0_PRIMITIVE, ciphertext, tag),
  );
  return encodeContentInfo(
    OID.GM_ENVELOPED_DATA,
    derTlv(TAG.SEQUENCE, derUnsigned(0n), derTlv(SET, ktri), eci),
  );
}

interface ParsedEnvelope {
  /** encryptedKey and algorithm of the recipient info addressed to us. */
  readonly encryptedKey: Buffer;
  readonly keyAlg: AlgorithmId;
  readonly contentAlg: AlgorithmId;
  readonly sealed: Buffer;
}

function parseEnvelope(der: Buffer, recipientCertDer: Buffer): ParsedEnvelope {
  const cert = readSm2Certificate(recipientCertDer);
  const ed = openContentInfo(der, OID.GM_ENVELOPED_DATA, 'EnvelopedData');
  // GM/T 0010 §8.1: version 0. The versions are outside the SM4-GCM tag and the SM2 wrap, so an
  // unchecked version byte was the one place a flipped bit went unnoticed; the intl suite checks them too.
  if (readUnsigned(der, ed.next(TAG.INTEGER)) !== 0n) {
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'EnvelopedData version must be 0');
  }
  ed.optional(CTX0); // originatorInfo
  const ris = ed.enter(ed.next(SET), 'recipientInfos');
  const eci = ed.enter(ed.next(TAG.SEQUENCE), 'encryptedContentInfo');
  ed.optional(CTX1); // unprotectedAttrs
  ed.finish();

  let mine: { encryptedKey: Buffer; keyAlg: AlgorithmId } | undefined;
  while (ris.peek() !== undefined) {
    const el = ris.next();
    if (el.tag !== TAG.SEQUENCE) continue; // kari/kekri/pwri/ori: not for SM2 key transport
    const k = ris.enter(el, 'KeyTransRecipientInfo');
    const version = readUnsigned(der, k.next(TAG.INTEGER));
    const rid = readCertRef(k);
    // RFC 5652 §6.2.1: version 0 with issuerAndSerialNumber, 2 with subjectKeyIdentifier.
    if (version !== ('subjectKeyId' in rid ? 2n : 0n)) {
      throw new GatewayError(
        'GW_ERR_CRYPTO_MALFORMED',
        'KeyTransRecipientInfo version does not match its recipient identifier',
      );
    }
    const keyAlg = readAlgorithm(k, 'keyEncryptionAlgorithm');
    const encryptedKey = k.content(k.next(TAG.OCTET_STRING));
    k.finish();
    if (!mine && refersTo(rid, cert)) mine = { encryptedKey, keyAlg };
  }

  const type = eci.next(TAG.OID);
  if (!eci.whole(type).equals(GM_DATA_OID)) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      `Content type ${decodeOid(eci.content(type))} is not GM/T 0010 data`,
    );
  }
  const contentAlg = readAlgorithm(eci, 'contentEncryptionAlgorithm');
  const sealedTlv = eci.optional(CTX0_PRIMITIVE);
  eci.finish();
  if (!sealedTlv) throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Envelope has no encrypted content');
  if (!mine)
    throw new GatewayError(
      'GW_ERR_CRYPTO_DECRYPT',
      'Envelope is not addressed to this recipient certificate',
    );
  return { ...mine, contentAlg, sealed: eci.content(sealedTlv) };
}

/** Decrypt an envelope made by `encryptGmt0010` with the recipient's certificate and key. */
export async function decryptGmt0010(sm2: Sm2, der: Buffer, recipient: KeyedIdentity): Promise<Buffer> {
  const p = parseEnvelope(der, recipient.certDer);
  if (p.keyAlg.oid !== OID.SM2_ENCRYPT && p.keyAlg.oid !== OID.SM2) {
    throw new GatewayError(
      'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM',
      `Key encryption ${p.keyAlg.oid} is not SM2`,
    );
  }
  const iv = parseGcmParams(p.contentAlg);
  if (p.sealed.length < SM4_GCM_TAG_BYTES)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Encrypted content shorter than its tag');
  const cek = await sm2.decryptAsync(p.encryptedKey, recipient.privateKey);
  try {
    if (cek.length !== SM4_KEY_BYTES)
      throw new GatewayError('GW_ERR_CRYPTO_DECRYPT', 'Wrapped content key has the wrong length');
    const split = p.sealed.length - SM4_GCM_TAG_BYTES;
    return sm4GcmDecrypt(
      cek,
      iv,
      p.sealed.subarray(0, split),
      p.sealed.subarray(split),
      undefined,
      gcmImplFor(sm2),
    );
  } finally {
    cek.fill(0);
  }
}
