import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import {
  type Asn1Node,
  encodeDer,
  isContext,
  malformed,
  parseDer,
  readExplicit,
  readIntegerBytes,
  readOctets,
  readOid,
  readSequence,
} from './asn1.js';
import { OID } from './oids.js';

/** The parts of an X.509 certificate that CMS needs to name and use it. */
export interface CertificateInfo {
  /** The certificate as given, and its SHA-256. */
  readonly der: Buffer;
  readonly sha256: Buffer;
  /** Issuer Name, DER (for IssuerAndSerialNumber and comparisons). */
  readonly issuerDer: Buffer;
  /** serialNumber INTEGER content bytes. */
  readonly serial: Buffer;
  /** subjectKeyIdentifier extension value, when present. */
  readonly subjectKeyId?: Buffer;
  /** The subject public key, and its SubjectPublicKeyInfo DER. */
  readonly publicKey: KeyObject;
  readonly spki: Buffer;
}

/**
 * Interpret a parsed certificate (RFC 5280 §4.1) whose DER is `der`. Only the fields CMS needs
 * are read; chain and validity checks are the caller's business (the suite pins certificates,
 * it does not trust them). Use `CertificateCache.read` rather than calling this directly.
 */
export function certificateFromNode(node: Asn1Node, what: string, der: Buffer): CertificateInfo {
  const [tbs] = readSequence(node, what, 3, 3);
  const fields = readSequence(tbs, `${what} tbsCertificate`, 6);
  // The version is [0] EXPLICIT and optional (absent means v1).
  const offset = isContext(fields[0], 0) ? 1 : 0;
  const serialNode = fields[offset];
  const issuer = fields[offset + 2];
  const spki = fields[offset + 5];
  const serial = readIntegerBytes(serialNode, `${what} serialNumber`);
  readSequence(issuer, `${what} issuer`);
  readSequence(spki, `${what} subjectPublicKeyInfo`, 2, 2);
  if (!issuer || !spki) throw malformed(`${what} is incomplete`);

  const spkiDer = encodeDer(spki);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  } catch {
    throw new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', `${what} has an unsupported public key`);
  }

  let subjectKeyId: Buffer | undefined;
  const extensionsTagged = fields.slice(offset + 6).find((f) => isContext(f, 3));
  if (extensionsTagged) {
    const extensions = readSequence(
      readExplicit(extensionsTagged, 3, `${what} extensions`),
      `${what} extensions`,
    );
    for (const ext of extensions) {
      const parts = readSequence(ext, `${what} extension`, 2, 3);
      if (readOid(parts[0], `${what} extension id`) !== OID.subjectKeyIdentifier) continue;
      const value = readOctets(parts[parts.length - 1], `${what} subjectKeyIdentifier`);
      subjectKeyId = readOctets(
        parseDer(value, `${what} subjectKeyIdentifier`),
        `${what} subjectKeyIdentifier`,
      );
    }
  }

  const sha256 = createHash('sha256').update(der).digest();
  return { der, sha256, issuerDer: encodeDer(issuer), serial, subjectKeyId, publicKey, spki: spkiDer };
}
