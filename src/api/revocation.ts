import { createHash, verify, X509Certificate } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, CertificateList } from '@peculiar/asn1-x509';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';

/** Options of {@link RevocationChecker}. */
export interface RevocationOptions {
  /** CRL files (PEM or DER). Each must be signed by one of `caPems`. */
  readonly files: readonly string[];
  /** Trusted CA certificates (PEM), the issuers of the CRLs. */
  readonly caPems: readonly string[];
  readonly logger: Logger;
  /** How often changed files are looked for (fs.watchFile polling); default 2000 ms. */
  readonly pollMs?: number;
  /** Told when a file could not be (re)loaded and the previous list is kept. */
  readonly onProblem?: (file: string, message: string) => void;
  readonly now?: () => Date;
}

interface LoadedCrl {
  readonly issuer: string;
  readonly serials: ReadonlySet<string>;
  readonly nextUpdate?: Date;
}

interface CertFacts {
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const CACHE_MAX = 1024;
const hex = (b: ArrayBuffer): string => Buffer.from(b).toString('hex');
const normSerial = (h: string): string => h.toLowerCase().replace(/^0+/, '');

// CRL signature algorithms (TLS CAs are international: ECDSA or RSA) and their digests.
const SIGNATURE_HASH: Readonly<Record<string, string>> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

/** PEM (one `X509 CRL` block) or DER bytes to DER. */
function crlDer(bytes: Buffer): Buffer {
  const text = bytes.subarray(0, 64).toString('latin1');
  if (!text.includes('-----BEGIN')) return bytes;
  const m = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(bytes.toString('latin1'));
  if (!m) throw new Error('no X509 CRL block in the PEM file');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

/** A trusted CA: its subject (DER hex) and public key. */
interface TrustedCa {
  readonly subject: string;
  readonly cert: X509Certificate;
}

function trustedCa(pem: string): TrustedCa {
  const cert = new X509Certificate(pem);
  const asn = AsnConvert.parse(cert.raw, Certificate);
  return { subject: hex(AsnConvert.serialize(asn.tbsCertificate.subject)), cert };
}

/**
 * Certificate status at the identity step: refuses a client or peer certificate that a
 * configured CRL lists (`GW_ERR_AUTH_CERT_REVOKED`) or that is outside its validity period
 * (`GW_ERR_AUTH_CERT_EXPIRED`). CRLs are verified against the configured CAs before use and
 * watched: a changed file is reloaded, and a file that no longer parses or verifies keeps the
 * list it replaced (a half-written CRL must not un-revoke anyone). `check` is synchronous, so
 * it can run inside the identity hook; parsed certificates are cached by fingerprint.
 */
export class RevocationChecker {
  private readonly crls = new Map<string, LoadedCrl>();
  private readonly cache = new Map<string, CertFacts>();
  private watched: string[] = [];
  private cas: TrustedCa[];
  private readonly now: () => Date;

  private constructor(private readonly o: RevocationOptions) {
    this.now = o.now ?? (() => new Date());
    this.cas = o.caPems.map(trustedCa);
  }

  /** Load every CRL (a bad one fails: the node must not start believing nothing is revoked), then watch them. */
  static async open(o: RevocationOptions): Promise<RevocationChecker> {
    const c = new RevocationChecker(o);
    await c.setFiles(o.files, o.caPems, true);
    return c;
  }

  /** Number of revoked serials known, per CRL file. */
  get loaded(): Record<string, number> {
    return Object.fromEntries([...this.crls].map(([f, l]) => [f, l.serials.size]));
  }

  /** Throws a coded error for a revoked or expired certificate. */
  check(der: Buffer): void {
    const f = this.facts(der);
    const now = this.now();
    if (now < f.notBefore || now > f.notAfter) {
      throw new GatewayError(
        'GW_ERR_AUTH_CERT_EXPIRED',
        `certificate is valid from ${f.notBefore.toISOString()} to ${f.notAfter.toISOString()}`,
      );
    }
    for (const crl of this.crls.values()) {
      if (crl.issuer === f.issuer && crl.serials.has(f.serial)) {
        throw new GatewayError(
          'GW_ERR_AUTH_CERT_REVOKED',
          `certificate serial ${f.serial} is revoked by its issuer`,
        );
      }
    }
  }

  /** Replace the CRL files (config reload). Fails, keeping the old set, if a new file is bad. */
  async setFiles(
    files: readonly string[],
    caPems: readonly string[] = this.o.caPems,
    initial = false,
  ): Promise<void> {
    const cas = caPems.map(trustedCa);
    const loaded = new Map<string, LoadedCrl>();
    for (const file of files) loaded.set(file, await this.load(file, cas));
    this.cas = cas;
    this.unwatch();
    this.crls.clear();
    for (const [f, l] of loaded) this.crls.set(f, l);
    this.cache.clear();
    for (const file of files) {
      watchFile(file, { interval: this.o.pollMs ?? 2000, persistent: false }, (cur: Stats, prev: Stats) => {
        if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) void this.reloadOne(file);
      });
    }
    this.watched = [...files];
    if (!initial) this.o.logger.info({ crls: this.loaded }, 'CRLs reloaded');
  }

  /** Stop watching files. */
  close(): void {
    this.unwatch();
  }

  private unwatch(): void {
    for (const f of this.watched) unwatchFile(f);
    this.watched = [];
  }

  private async reloadOne(file: string): Promise<void> {
    try {
      const crl = await this.load(file, this.cas);
      if (!this.watched.includes(file)) return; // replaced meanwhile
      this.crls.set(file, crl);
      this.cache.clear();
      this.o.logger.info({ file, revoked: crl.serials.size }, 'CRL reloaded');
    } catch (err) {
      const message = (err as Error).message;
      this.o.logger.error({ file, err: message }, 'CRL not reloaded; the previous list stays in force');
      this.o.onProblem?.(file, message);
    }
  }

  private async load(file: string, cas: readonly TrustedCa[]): Promise<LoadedCrl> {
    let crl: CertificateList;
    try {
      crl = AsnConvert.parse(crlDer(readFileSync(file)), CertificateList);
    } catch (err) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: not a CRL (${(err as Error).message})`);
    }
    const tbs = crl.tbsCertList;
    const issuer = hex(AsnConvert.serialize(tbs.issuer));
    const ca = cas.find((c) => c.subject === issuer);
    if (!ca)
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: the CRL issuer is not a configured CA`);
    const hash = SIGNATURE_HASH[crl.signatureAlgorithm.algorithm];
    if (!hash)
      throw new GatewayError(
        'GW_ERR_CONFIG_INVALID',
        `${file}: unsupported CRL signature algorithm ${crl.signatureAlgorithm.algorithm}`,
      );
    // The signed bytes are the TBSCertList exactly as received, not a re-encoding of it.
    const signed = crl.tbsCertListRaw
      ? Buffer.from(crl.tbsCertListRaw)
      : Buffer.from(AsnConvert.serialize(tbs));
    if (!verify(hash, signed, ca.cert.publicKey, Buffer.from(crl.signature))) {
      throw new GatewayError('GW_ERR_CONFIG_INVALID', `${file}: CRL signature does not verify with its CA`);
    }
    const nextUpdate = tbs.nextUpdate?.getTime();
    if (nextUpdate && nextUpdate < this.now()) {
      // A stale list still revokes what it lists; say so, since newer revocations are missing.
      this.o.logger.warn({ file, nextUpdate: nextUpdate.toISOString() }, 'CRL is past its nextUpdate');
      this.o.onProblem?.(file, `CRL is past its nextUpdate (${nextUpdate.toISOString()})`);
    }
    const serials = new Set((tbs.revokedCertificates ?? []).map((r) => normSerial(hex(r.userCertificate))));
    return { issuer, serials, nextUpdate };
  }

  private facts(der: Buffer): CertFacts {
    const fp = createHash('sha256').update(der).digest('hex');
    let f = this.cache.get(fp);
    if (!f) {
      const tbs = AsnConvert.parse(der, Certificate).tbsCertificate;
      f = {
        issuer: hex(AsnConvert.serialize(tbs.issuer)),
        serial: normSerial(hex(tbs.serialNumber)),
        notBefore: tbs.validity.notBefore.getTime(),
        notAfter: tbs.validity.notAfter.getTime(),
      };
      if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(fp, f);
    }
    return f;
  }
}
