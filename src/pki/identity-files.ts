import { createHash, createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KeyedIdentity } from '../crypto/index.js';
import { GatewayError } from '../errors.js';

function invalid(path: string, expected: string, cause?: unknown): GatewayError {
  return new GatewayError(
    'GW_ERR_CONFIG_INVALID',
    `${path}: expected ${expected}`,
    [{ path, message: expected }],
    {
      cause,
    },
  );
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw invalid(path, 'a readable file', err);
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;

/** DER of the first certificate in PEM text, or the bytes themselves when they are DER. */
function certificateBytes(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  const pem = PEM_CERT.exec(text);
  if (pem?.[1]) return Buffer.from(pem[1].replace(/\s+/g, ''), 'base64');
  return bytes;
}

/**
 * Read a certificate file, PEM (the first `CERTIFICATE` block) or DER, and return its DER.
 * Throws `GW_ERR_CONFIG_INVALID` naming the file when it holds no parseable certificate.
 */
export function loadCertDer(path: string): Buffer {
  const der = certificateBytes(readBytes(path));
  try {
    // Parsed by OpenSSL only to refuse garbage early; the DER is returned untouched.
    new X509Certificate(der);
  } catch (err) {
    throw invalid(path, 'an X.509 certificate (PEM or DER)', err);
  }
  return der;
}

/** Read a private key file: PEM (PKCS#8, SEC1 or PKCS#1) or DER PKCS#8. */
function loadPrivateKey(path: string): KeyObject {
  const bytes = readBytes(path);
  try {
    if (bytes.includes('-----BEGIN')) return createPrivateKey(bytes);
    return createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  } catch (err) {
    throw invalid(path, 'an unencrypted private key (PEM or DER PKCS#8)', err);
  }
}

/**
 * Load a certificate and its private key (PEM or DER each) and check that they belong
 * together, so that a config mix-up fails at start-up rather than on the first packet.
 */
export function loadIdentity(certPath: string, keyPath: string): KeyedIdentity {
  const certDer = loadCertDer(certPath);
  const privateKey = loadPrivateKey(keyPath);
  const certSpki = new X509Certificate(certDer).publicKey.export({ format: 'der', type: 'spki' });
  let keySpki: Buffer;
  try {
    keySpki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  } catch (err) {
    throw invalid(keyPath, 'a private key usable with its certificate', err);
  }
  if (!keySpki.equals(certSpki)) throw invalid(keyPath, `the private key of ${certPath}`);
  return Object.freeze({ certDer, privateKey });
}

/** SHA-256 fingerprint of a DER certificate: lower-case hex, no colons. */
export function certFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}
