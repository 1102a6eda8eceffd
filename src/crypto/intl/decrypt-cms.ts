import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import type { KeyedIdentity } from '../suite.js';
import {
  type Asn1Node,
  asUniversalSet,
  encodeDer,
  isContext,
  isSequence,
  malformed,
  parseDer,
  readExplicit,
  readOctets,
  readOid,
  readSequence,
  readSet,
  readSmallInteger,
} from './asn1.js';
import type { CertificateCache } from './certificate-cache.js';
import type { CertificateInfo } from './certificate-info.js';
import { GCM, oaepSha256Params } from './encrypt-cms.js';
import { OID } from './oids.js';
import { identifierForm, identifies } from './signer-identifier.js';

function decryptError(message: string): GatewayError {
  return new GatewayError('GW_ERR_CRYPTO_DECRYPT', message);
}

function unsupported(message: string): GatewayError {
  return new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', message);
}

// Only RSAES-OAEP with SHA-256/MGF1-SHA-256 is accepted, so comparing the parameters' DER
// with ours is the strictest check; RFC 4055 §2.1 lets the SHA-256 identifiers carry NULL
// parameters or none, so both spellings are known. PKCS#1 v1.5 key transport is refused on
// purpose (Bleichenbacher padding oracles).
const OAEP_PARAMS_DER = [oaepSha256Params(false), oaepSha256Params(true)];

/** Read one KeyTransRecipientInfo; returns its encrypted key when it names `cert`. */
function readKeyTrans(node: Asn1Node, cert: CertificateInfo): Buffer | undefined {
  const [versionNode, rid, algNode, keyNode] = readSequence(node, 'KeyTransRecipientInfo', 4, 4);
  const form = identifierForm(rid, 'KeyTransRecipientInfo rid');
  const version = readSmallInteger(versionNode, 'KeyTransRecipientInfo version');
  // RFC 5652 §6.2.1: version 0 with IssuerAndSerialNumber, 2 with SubjectKeyIdentifier.
  if (version !== (form === 'issuerAndSerialNumber' ? 0 : 2))
    throw malformed('KeyTransRecipientInfo version');
  const [algId, params] = readSequence(algNode, 'keyEncryptionAlgorithm', 1, 2);
  const algorithmId = readOid(algId, 'keyEncryptionAlgorithm');
  const encryptedKey = readOctets(keyNode, 'encryptedKey');
  // Another recipient's algorithm is that recipient's business.
  if (!identifies(rid as Asn1Node, cert)) return undefined;
  if (algorithmId !== OID.rsaesOaep || !params)
    throw unsupported('Only RSAES-OAEP key transport is supported');
  const paramsDer = encodeDer(params);
  if (!OAEP_PARAMS_DER.some((known) => known.equals(paramsDer))) {
    throw unsupported('Only RSAES-OAEP with SHA-256 and MGF1-SHA-256 is supported');
  }
  return encryptedKey;
}

/** Nonce of AES-256-GCM parameters, with the tag length checked against the MAC. */
function readGcmParameters(node: Asn1Node | undefined, macLength: number): Buffer {
  const [algId, params, ...rest] = readSequence(node, 'contentEncryptionAlgorithm', 2, 2);
  if (readOid(algId, 'contentEncryptionAlgorithm') !== OID.aes256Gcm || rest.length > 0) {
    throw unsupported('Only AES-256-GCM content encryption is supported');
  }
  const [nonceNode, icvNode] = readSequence(params, 'GCMParameters', 1, 2);
  const nonce = readOctets(nonceNode, 'GCM nonce');
  // aes-ICVlen DEFAULT 12 (RFC 5084 §3.2); it must agree with the MAC actually carried.
  const icvLength = icvNode ? readSmallInteger(icvNode, 'GCM ICV length') : 12;
  if (nonce.length !== GCM.nonceBytes) throw unsupported('Only 12-octet GCM nonces are supported');
  if (icvLength < 12 || icvLength > 16 || icvLength !== macLength) throw malformed('GCM tag length');
  return nonce;
}

/**
 * Decrypt a DER ContentInfo(AuthEnvelopedData) (RFC 5083) addressed to `recipient`:
 * RSAES-OAEP-SHA-256 key transport and AES-256-GCM. The whole structure is checked before
 * any private-key operation; every cryptographic failure is the same `GW_ERR_CRYPTO_DECRYPT`.
 */
export function decryptCms(certs: CertificateCache, envelope: Buffer, recipient: KeyedIdentity): Buffer {
  const cert = certs.read(recipient.certDer, 'recipient certificate');
  if (recipient.privateKey.asymmetricKeyType !== 'rsa') {
    throw new GatewayError('GW_ERR_CRYPTO_KEY', 'Recipient key must be an RSA key');
  }

  const [typeNode, wrapped] = readSequence(parseDer(envelope, 'envelope'), 'ContentInfo', 2, 2);
  const contentType = readOid(typeNode, 'ContentInfo contentType');
  if (contentType === OID.envelopedData)
    throw unsupported('EnvelopedData without authentication is not accepted');
  if (contentType !== OID.authEnvelopedData) throw malformed('not an AuthEnvelopedData');
  const fields = readSequence(readExplicit(wrapped, 0, 'ContentInfo content'), 'AuthEnvelopedData', 4, 7);
  if (readSmallInteger(fields[0], 'AuthEnvelopedData version') !== 0)
    throw malformed('AuthEnvelopedData version');
  let i = 1;
  if (isContext(fields[i], 0)) i++; // originatorInfo: certificates we have no use for
  const recipientInfos = readSet(fields[i++], 'recipientInfos', 1);
  const [eTypeNode, algNode, contentNode, ...extra] = readSequence(fields[i++], 'EncryptedContentInfo', 3, 3);
  const authAttrs = isContext(fields[i], 1) ? fields[i++] : undefined;
  const mac = readOctets(fields[i++], 'mac');
  if (isContext(fields[i], 2)) i++; // unauthAttrs are, by definition, not trusted
  if (i !== fields.length || extra.length > 0) throw malformed('AuthEnvelopedData has unexpected fields');

  // RFC 5083 §2.1: other content types need authAttrs; we only exchange id-data.
  if (readOid(eTypeNode, 'EncryptedContentInfo contentType') !== OID.data)
    throw malformed('content type is not id-data');
  const nonce = readGcmParameters(algNode, mac.length);
  const ciphertext = readOctets(contentNode, 'encryptedContent', 0);
  // RFC 5083 §2.2: when present, the DER of authAttrs (with a SET OF tag) is the AAD.
  const aad = authAttrs ? encodeDer(asUniversalSet(authAttrs)) : undefined;
  if (authAttrs)
    readSet(asUniversalSet(authAttrs), 'authAttrs', 1).forEach((a) => readSequence(a, 'Attribute', 2, 2));

  let encryptedKey: Buffer | undefined;
  for (const info of recipientInfos) {
    // Other RecipientInfo kinds are [1]..[4]-tagged; a KeyTransRecipientInfo is a SEQUENCE.
    if (!isSequence(info)) continue;
    encryptedKey = readKeyTrans(info, cert) ?? encryptedKey;
  }
  if (!encryptedKey) throw decryptError('The envelope is not addressed to this recipient');

  let contentKey: Buffer;
  try {
    contentKey = privateDecrypt(
      { key: recipient.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      encryptedKey,
    );
  } catch {
    throw decryptError('Decryption failed (wrong recipient or tampered ciphertext)');
  }
  if (contentKey.length !== GCM.keyBytes)
    throw decryptError('Decryption failed (wrong recipient or tampered ciphertext)');
  try {
    const decipher = createDecipheriv('aes-256-gcm', contentKey, nonce, { authTagLength: mac.length });
    decipher.setAuthTag(mac);
    if (aad) decipher.setAAD(aad);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw decryptError('Decryption failed (wrong recipient or tampered ciphertext)');
  } finally {
    contentKey.fill(0);
  }
}
