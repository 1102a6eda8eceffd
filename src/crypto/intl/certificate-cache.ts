import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { type Asn1Node, encodeDer, parseDer } from './asn1.js';
import { type CertificateInfo, certificateFromNode } from './certificate-info.js';

/**
 * Parsed certificates and derived public keys, kept per suite instance. OpenSSL 3's key
 * decoders make `createPublicKey` cost about half a millisecond — several times an ECDSA
 * signature — while a gateway uses the same few certificates for every packet. Certificates
 * are public, so remembering them by their SHA-256 is safe; entries are copies, so a caller
 * reusing its buffer cannot change what is cached.
 */
export class CertificateCache {
  private readonly byDigest = new Map<string, CertificateInfo>();
  private readonly spkiOfPrivate = new WeakMap<KeyObject, Buffer>();

  /** @param capacity most certificates kept; the least recently used one goes first. */
  constructor(private readonly capacity = 256) {}

  /** Read a DER certificate (see `certificateFromNode`), from the cache when seen before. */
  read(der: Buffer, what: string): CertificateInfo {
    const digest = createHash('sha256').update(der).digest('base64');
    const hit = this.byDigest.get(digest);
    if (hit) {
      this.byDigest.delete(digest);
      this.byDigest.set(digest, hit);
      return hit;
    }
    const copy = Buffer.from(der);
    const info = certificateFromNode(parseDer(copy, what), what, copy);
    this.byDigest.set(digest, info);
    if (this.byDigest.size > this.capacity) {
      const oldest = this.byDigest.keys().next().value;
      if (oldest !== undefined) this.byDigest.delete(oldest);
    }
    return info;
  }

  /** As `read`, for a certificate found inside a parsed structure. */
  fromNode(node: Asn1Node, what: string): CertificateInfo {
    return this.read(encodeDer(node), what);
  }

  /** SubjectPublicKeyInfo DER of the public half of a private key (KeyObjects are immutable). */
  publicSpkiOf(privateKey: KeyObject): Buffer {
    let spki = this.spkiOfPrivate.get(privateKey);
    if (!spki) {
      spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
      this.spkiOfPrivate.set(privateKey, spki);
    }
    return spki;
  }
}
