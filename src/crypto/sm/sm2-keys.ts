import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import { bigToBytes, bytesToBig, expectEnd, expectTlv, readTlv, TAG } from './der.js';
import { isOnCurve, N, type AffinePoint } from './sm2-curve.js';
import { encodeOid, OID } from './oids.js';

/**
 * Conversions between Node `KeyObject`s and the raw SM2 numbers the backends work with.
 * Results are cached per KeyObject (WeakMap), so a long-lived key is exported and parsed once.
 */

/** A public key as both backends need it. */
export interface Sm2PublicParts {
  /** The public point. */
  readonly point: AffinePoint;
  /** DER SubjectPublicKeyInfo (id-ecPublicKey with the SM2 curve). */
  readonly spki: Buffer;
}

/** A private key as both backends need it. */
export interface Sm2PrivateParts extends Sm2PublicParts {
  /** The private scalar d, 1 ≤ d ≤ n − 2. */
  readonly d: bigint;
  /** DER PKCS #8 PrivateKeyInfo. */
  readonly pkcs8: Buffer;
}

const ALG_ID = Buffer.concat([Buffer.from([0x30, 0x13]), encodeOid(OID.EC_PUBLIC_KEY), encodeOid(OID.SM2)]);
const SPKI_PREFIX = Buffer.concat([Buffer.from('3059', 'hex'), ALG_ID, Buffer.from('03420004', 'hex')]);

const publicCache = new WeakMap<KeyObject, Sm2PublicParts>();
const privateCache = new WeakMap<KeyObject, Sm2PrivateParts>();

function keyError(message: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_CRYPTO_KEY', message, [], cause === undefined ? undefined : { cause });
}

/** Point bytes (04 ‖ x ‖ y, or x ‖ y as sm-crypto-v2 writes it) to a checked affine point. */
export function decodePoint(bytes: Uint8Array): AffinePoint {
  let body = bytes;
  if (bytes.length === 65 && bytes[0] === 0x04) body = bytes.subarray(1);
  else if (bytes.length !== 64) {
    throw new GatewayError('GW_ERR_CRYPTO_INVALID_POINT', 'SM2 point must be uncompressed (04 ‖ x ‖ y)');
  }
  const point = { x: bytesToBig(body.subarray(0, 32)), y: bytesToBig(body.subarray(32)) };
  if (!isOnCurve(point)) throw new GatewayError('GW_ERR_CRYPTO_INVALID_POINT');
  return point;
}

/** 04 ‖ x ‖ y. */
export function encodePoint(p: AffinePoint): Buffer {
  return Buffer.concat([Buffer.from([4]), bigToBytes(p.x, 32), bigToBytes(p.y, 32)]);
}

function spkiOf(point: AffinePoint): Buffer {
  return Buffer.concat([SPKI_PREFIX, bigToBytes(point.x, 32), bigToBytes(point.y, 32)]);
}

/** Parse a DER SubjectPublicKeyInfo that must hold an SM2 point. */
export function parseSm2Spki(spki: Uint8Array): AffinePoint {
  const outer = expectTlv(spki, 0, TAG.SEQUENCE);
  expectEnd(outer.end, spki.length, 'SubjectPublicKeyInfo');
  const alg = expectTlv(spki, outer.start, TAG.SEQUENCE, outer.end);
  if (!Buffer.from(spki.subarray(alg.begin, alg.end)).equals(ALG_ID)) {
    throw new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', 'Public key is not an SM2 key');
  }
  const bits = expectTlv(spki, alg.end, TAG.BIT_STRING, outer.end);
  expectEnd(bits.end, outer.end, 'SubjectPublicKeyInfo');
  if (spki[bits.start] !== 0)
    throw new GatewayError('GW_ERR_CRYPTO_MALFORMED', 'Public key BIT STRING has unused bits');
  return decodePoint(spki.subarray(bits.start + 1, bits.end));
}

/** A checked SM2 public KeyObject from DER SPKI (refuses points off the curve). */
export function sm2PublicKeyFromSpki(spki: Uint8Array): KeyObject {
  const point = parseSm2Spki(spki);
  const key = createPublicKey({ key: spkiOf(point), format: 'der', type: 'spki' });
  publicCache.set(key, { point, spki: spkiOf(point) });
  return key;
}

/** An SM2 public KeyObject from point bytes (04 ‖ x ‖ y, or the 64-byte x ‖ y form). */
export function sm2PublicKeyFromPoint(point: Uint8Array): KeyObject {
  return sm2PublicKeyFromSpki(spkiOf(decodePoint(point)));
}

/** The public point of private scalar d, computed by Node's OpenSSL. */
function pointOfScalar(d: bigint): AffinePoint {
  const ecdh = createECDH('SM2');
  ecdh.setPrivateKey(bigToBytes(d, 32));
  return decodePoint(ecdh.getPublicKey());
}

function pkcs8Of(d: bigint, point: AffinePoint): Buffer {
  // PrivateKeyInfo { 0, AlgorithmIdentifier, OCTET STRING ECPrivateKey { 1, d, [1] publicKey } }
  const ecPriv = Buffer.concat([
    Buffer.from('306b0201010420', 'hex'),
    bigToBytes(d, 32),
    Buffer.from('a144034200', 'hex'),
    encodePoint(point),
  ]);
  return Buffer.concat([
    Buffer.from('3081870201', 'hex'),
    Buffer.from([0]),
    ALG_ID,
    Buffer.from('046d', 'hex'),
    ecPriv,
  ]);
}

function checkScalar(d: bigint): void {
  // SM2 signing needs (1 + d)⁻¹ mod n, so d = n − 1 is excluded as well (GB/T 32918.1 §6.1).
  if (d < 1n || d > N - 2n) throw keyError('SM2 private scalar out of range');
}

/** An SM2 private KeyObject from the 32-byte scalar d. */
export function sm2PrivateKeyFromScalar(dBytes: Uint8Array): KeyObject {
  const d = bytesToBig(dBytes);
  checkScalar(d);
  const point = pointOfScalar(d);
  const pkcs8 = pkcs8Of(d, point);
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  privateCache.set(key, { d, point, pkcs8, spki: spkiOf(point) });
  return key;
}

/** Raw parts of an SM2 private KeyObject (cached). */
export function sm2PrivateParts(key: KeyObject): Sm2PrivateParts {
  const hit = privateCache.get(key);
  if (hit) return hit;
  if (!(key instanceof KeyObject) || key.type !== 'private')
    throw keyError('An SM2 private KeyObject is required');
  let der: Buffer;
  try {
    der = key.export({ format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw keyError('Private key cannot be exported as PKCS #8', err);
  }
  const outer = expectTlv(der, 0, TAG.SEQUENCE);
  const version = expectTlv(der, outer.start, TAG.INTEGER, outer.end);
  const alg = expectTlv(der, version.end, TAG.SEQUENCE, outer.end);
  if (!der.subarray(alg.begin, alg.end).equals(ALG_ID)) throw keyError('Private key is not an SM2 key');
  const wrapped = expectTlv(der, alg.end, TAG.OCTET_STRING, outer.end);
  const ec = expectTlv(der, wrapped.start, TAG.SEQUENCE, wrapped.end);
  const ecVersion = readTlv(der, ec.start, ec.end);
  const dTlv = expectTlv(der, ecVersion.end, TAG.OCTET_STRING, ec.end);
  const d = bytesToBig(der.subarray(dTlv.start, dTlv.end));
  checkScalar(d);
  const point = pointOfScalar(d);
  const parts = { d, point, pkcs8: pkcs8Of(d, point), spki: spkiOf(point) };
  privateCache.set(key, parts);
  return parts;
}

/** Raw parts of an SM2 public key; a private KeyObject yields its public half (cached). */
export function sm2PublicParts(key: KeyObject): Sm2PublicParts {
  const hit = publicCache.get(key) ?? privateCache.get(key);
  if (hit) return hit;
  if (!(key instanceof KeyObject) || key.type === 'secret')
    throw keyError('An SM2 public KeyObject is required');
  if (key.type === 'private') return sm2PrivateParts(key);
  const spki = key.export({ format: 'der', type: 'spki' });
  const point = parseSm2Spki(spki);
  const parts = { point, spki: spkiOf(point) };
  publicCache.set(key, parts);
  return parts;
}

/**
 * A fresh SM2 key pair. The keys are re-imported from DER so that OpenSSL types them as SM2
 * (not generic EC): that way even a stray `crypto.sign` on them runs SM2 rather than ECDSA.
 */
export function generateSm2KeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const privateKey = createPrivateKey({
    key: pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = createPublicKey({
    key: pair.publicKey.export({ format: 'der', type: 'spki' }),
    format: 'der',
    type: 'spki',
  });
  return { publicKey, privateKey };
}
