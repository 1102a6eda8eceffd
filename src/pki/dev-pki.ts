import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { createHash, X509Certificate } from 'node:crypto';
import type { KeyedIdentity } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { createDevSeal } from '../seal/index.js';
import {
  type KeyKind,
  type LeafProfile,
  memberProfiles,
  ROOT_NAMES,
  systemProfile,
} from './dev-pki-profiles.js';
import { certFingerprint, loadCertDer, loadIdentity } from './identity-files.js';
import { generateEcP256KeyPair, generateRsaKeyPair, issueIntlCertificate } from './intl-certificate.js';
import { writeCertificate, writePrivateKey } from './pem.js';
import { generateSmKeyPair, issueSmCertificate } from './sm-certificate.js';

/** Options of `initDevPki` (`tongban certs init`). */
export interface DevPkiOptions {
  /** Folder to write into; created when missing. */
  readonly outDir: string;
  /** Member codes (6 digits, GB/T 2260), e.g. `520000`. */
  readonly members: readonly string[];
  /** Local systems that get client certificates per member. Default `['population']`. */
  readonly systems?: readonly string[];
  /** Validity of member certificates in days. Default 825 (CA/B Forum's old TLS maximum). */
  readonly validDays?: number;
}

/** Absolute paths of one certificate and its private key. */
export interface CertKeyPaths {
  readonly cert: string;
  readonly key: string;
}

/** The files made for one member. */
export interface MemberPkiLayout {
  readonly dir: string;
  readonly nodeTls: CertKeyPaths;
  readonly intlSigning: CertKeyPaths;
  readonly intlEncryption: CertKeyPaths;
  readonly smSigning: CertKeyPaths;
  readonly smEncryption: CertKeyPaths;
  readonly smSealMaker: CertKeyPaths;
  readonly smSealSigner: CertKeyPaths;
  /** The 承办人's ECDSA P-256 key for intl (CMS) seal signatures. */
  readonly intlSealSigner: CertKeyPaths;
  /**
   * The development unit seal (GB/T 38540 SESeal, DER) and its picture (PNG): made by
   * `sm-seal-maker`, usable by `sm-signing` / `intl-signing` (unit) and `sm-seal-signer` /
   * `intl-seal-signer` (承办人).
   */
  readonly seal: { readonly der: string; readonly png: string; readonly esID: string; readonly name: string };
  /** Client certificates by system name (`system-<system>.crt`). */
  readonly systems: Readonly<Record<string, CertKeyPaths>>;
}

/** What `initDevPki` wrote (all paths absolute). */
export interface DevPkiLayout {
  readonly outDir: string;
  /** Intl root CA (ECDSA P-256): `root-ca.crt` / `root-ca.key`. */
  readonly rootCa: CertKeyPaths;
  /** SM2 root CA: `sm-root-ca.crt` / `sm-root-ca.key`. */
  readonly smRootCa: CertKeyPaths;
  readonly members: Readonly<Record<string, MemberPkiLayout>>;
  /** `manifest.json`: paths, SHA-256 fingerprints and validity; never keys. */
  readonly manifest: string;
}

/** One development seal in `manifest.json`. */
export interface ManifestSeal {
  readonly member: string;
  readonly esID: string;
  readonly name: string;
  /** Paths relative to the manifest's folder. */
  readonly file: string;
  readonly picture: string;
  /** SHA-256 of the DER seal. */
  readonly sha256: string;
}

/** One certificate in `manifest.json`. */
export interface ManifestEntry {
  readonly role: string;
  readonly suite: 'intl' | 'sm';
  readonly member?: string;
  /** Paths relative to the manifest's folder, with `/` separators. */
  readonly cert: string;
  readonly key: string;
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly sha256: string;
  readonly keyType: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** True for a root CA that already existed in the folder and was kept. */
  readonly reused: boolean;
}

const DAY_MS = 86_400_000;
const MEMBER_CODE = /^\d{6}$/;
const SYSTEM_NAME = /^[a-z][a-z0-9-]{0,31}$/;
/** Roots outlive the leaves they issue; ten years unless the leaves are asked to live longer. */
const ROOT_MIN_DAYS = 3650;
/** Back-dating absorbs clock skew between the machines of a development network. */
const BACKDATE_MS = 3_600_000;

interface Issuer extends KeyedIdentity {
  readonly notAfter: Date;
}

function configError(message: string): GatewayError {
  return new GatewayError('GW_ERR_CONFIG_INVALID', message);
}

async function newKeyPair(kind: KeyKind): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  if (kind === 'ec-p256') return generateEcP256KeyPair();
  if (kind === 'rsa-2048') return generateRsaKeyPair(2048);
  return generateSmKeyPair();
}

/** DER of the SM2 curve OID 1.2.156.10197.1.301 (GM/T 0006), as found in an SPKI. */
const SM2_CURVE_OID_DER = Buffer.from('06082a811ccf5501822d', 'hex');

function keyTypeOf(cert: X509Certificate): string {
  const key = cert.publicKey;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${key.asymmetricKeyDetails?.modulusLength ?? '?'}`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'prime256v1') return 'ECDSA P-256';
  // Node 20 reports no type for SM2 keys read back from a certificate; the SPKI names the curve.
  if (curve === 'SM2' || key.export({ format: 'der', type: 'spki' }).includes(SM2_CURVE_OID_DER))
    return 'SM2';
  return curve ?? key.asymmetricKeyType ?? 'unknown';
}

/** Builds certificates and remembers what it made, for the manifest. */
class DevPkiWriter {
  readonly entries: ManifestEntry[] = [];

  constructor(
    private readonly outDir: string,
    private readonly notBefore: Date,
  ) {}

  paths(...stem: string[]): CertKeyPaths {
    const base = join(this.outDir, ...stem);
    return { cert: `${base}.crt`, key: `${base}.key` };
  }

  private record(
    role: string,
    suite: 'intl' | 'sm',
    paths: CertKeyPaths,
    der: Buffer,
    reused: boolean,
    member?: string,
  ): void {
    const cert = new X509Certificate(der);
    const rel = (p: string): string => relative(this.outDir, p).split(sep).join('/');
    this.entries.push({
      role,
      suite,
      ...(member ? { member } : {}),
      cert: rel(paths.cert),
      key: rel(paths.key),
      subject: cert.subject.replace(/\n/g, ', '),
      issuer: cert.issuer.replace(/\n/g, ', '),
      serialNumber: cert.serialNumber.toLowerCase(),
      sha256: certFingerprint(der),
      keyType: keyTypeOf(cert),
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
      reused,
    });
  }

  /** Keep an existing root in the folder (re-running `certs init` must not orphan issued certs). */
  async root(suite: 'intl' | 'sm', stem: string, days: number): Promise<Issuer> {
    const paths = this.paths(stem);
    if (existsSync(paths.cert) && existsSync(paths.key)) {
      const identity = loadIdentity(paths.cert, paths.key);
      this.record(stem, suite, paths, identity.certDer, true);
      return { ...identity, notAfter: new Date(new X509Certificate(identity.certDer).validTo) };
    }
    const keys = await newKeyPair(suite === 'intl' ? 'ec-p256' : 'sm2');
    const request = {
      subject: {
        commonName: suite === 'intl' ? ROOT_NAMES.intl : ROOT_NAMES.sm,
        organization: ROOT_NAMES.organization,
        country: 'CN',
      },
      notBefore: this.notBefore,
      notAfter: new Date(this.notBefore.getTime() + BACKDATE_MS + days * DAY_MS),
      isCa: true,
      keyUsage: ['keyCertSign', 'cRLSign'] as const,
      publicKey: keys.publicKey,
      subjectPrivateKeyForSelfSigned: keys.privateKey,
    };
    const der = suite === 'intl' ? issueIntlCertificate(request) : await issueSmCertificate(request);
    writePrivateKey(paths.key, keys.privateKey);
    writeCertificate(paths.cert, der);
    this.record(stem, suite, paths, der, false);
    return { certDer: der, privateKey: keys.privateKey, notAfter: request.notAfter };
  }

  /** Issue one member certificate under the root of its suite. */
  async leaf(member: string, profile: LeafProfile, issuer: Issuer, notAfter: Date): Promise<CertKeyPaths> {
    const paths = this.paths(member, profile.file);
    const keys = await newKeyPair(profile.key);
    const request = {
      subject: { commonName: profile.commonName, organization: member, country: 'CN' },
      notBefore: this.notBefore,
      // A leaf never outlives its issuer (a kept root may be older than this run).
      notAfter: notAfter > issuer.notAfter ? issuer.notAfter : notAfter,
      isCa: false,
      keyUsage: profile.keyUsage,
      extKeyUsage: profile.extKeyUsage,
      subjectAltNames: profile.subjectAltNames,
      publicKey: keys.publicKey,
      issuer: { certDer: issuer.certDer, privateKey: issuer.privateKey },
    };
    const der = profile.suite === 'intl' ? issueIntlCertificate(request) : await issueSmCertificate(request);
    writePrivateKey(paths.key, keys.privateKey);
    writeCertificate(paths.cert, der);
    this.record(profile.file, profile.suite, paths, der, false, member);
    return paths;
  }
}

function validate(opts: DevPkiOptions): { members: string[]; systems: string[]; validDays: number } {
  const members = [...new Set(opts.members)];
  const systems = [...new Set(opts.systems ?? ['population'])];
  const validDays = opts.validDays ?? 825;
  const badMember = members.find((m) => !MEMBER_CODE.test(m));
  if (badMember !== undefined)
    throw configError(`Member code "${badMember}" is not a 6-digit GB/T 2260 code`);
  const badSystem = systems.find((s) => !SYSTEM_NAME.test(s));
  if (badSystem !== undefined)
    throw configError(`System name "${badSystem}" must match ${SYSTEM_NAME.source}`);
  if (!Number.isInteger(validDays) || validDays < 1 || validDays > 36_500) {
    throw configError('validDays must be a whole number of days between 1 and 36500');
  }
  return { members, systems, validDays };
}

/**
 * Write `<member>/seal-unit.der` and `seal-unit.png`: a development unit seal made by the
 * member's `sm-seal-maker`, listing the unit signers (`sm-signing`, `intl-signing`) and the
 * 承办人 (`sm-seal-signer`, `intl-seal-signer`). It lasts whole years, fewer than the
 * certificates' validity (at least one), so it does not outlive the signers it lists.
 */
function writeDevSeal(
  outDir: string,
  member: string,
  pick: (file: string) => CertKeyPaths,
  start: Date,
  validDays: number,
): { layout: MemberPkiLayout['seal']; manifest: ManifestSeal } {
  const maker = pick('sm-seal-maker');
  const signers = ['sm-signing', 'intl-signing', 'sm-seal-signer', 'intl-seal-signer'];
  const made = createDevSeal({
    member,
    maker: loadIdentity(maker.cert, maker.key),
    signerCerts: signers.map((f) => loadCertDer(pick(f).cert)),
    now: start,
    years: Math.max(1, Math.floor(validDays / 366)),
  });
  const der = join(outDir, member, 'seal-unit.der');
  const png = join(outDir, member, 'seal-unit.png');
  writeFileSync(der, made.seal, { mode: 0o644 });
  writeFileSync(png, made.picture, { mode: 0o644 });
  const rel = (p: string): string => relative(outDir, p).split(sep).join('/');
  return {
    layout: { der, png, esID: made.esID, name: made.name },
    manifest: {
      member,
      esID: made.esID,
      name: made.name,
      file: rel(der),
      picture: rel(png),
      sha256: createHash('sha256').update(made.seal).digest('hex'),
    },
  };
}

/**
 * Make the development PKI of `tongban certs init`: an ECDSA P-256 root and an SM2 root, and
 * per member the node TLS, intl signing/encryption, SM2 signing/encryption/seal certificates
 * and one client certificate per local system, as PEM files (keys 0600), a development unit seal
 * (`seal-unit.der` / `.png`), plus `manifest.json`.
 * Roots already in `outDir` are kept, so members can be added later under the same trust.
 */
export async function initDevPki(opts: DevPkiOptions): Promise<DevPkiLayout> {
  const { members, systems, validDays } = validate(opts);
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const now = Date.now();
  const writer = new DevPkiWriter(outDir, new Date(now - BACKDATE_MS));
  const rootDays = Math.max(validDays, ROOT_MIN_DAYS);
  const root = await writer.root('intl', 'root-ca', rootDays);
  const smRoot = await writer.root('sm', 'sm-root-ca', rootDays);
  const notAfter = new Date(now + validDays * DAY_MS);

  const layouts: Record<string, MemberPkiLayout> = {};
  const seals: ManifestSeal[] = [];
  // Members one after another: RSA key generation already uses the thread pool, and the
  // machine is shared.
  for (const member of members) {
    const issued: Record<string, CertKeyPaths> = {};
    for (const profile of memberProfiles(member)) {
      issued[profile.file] = await writer.leaf(
        member,
        profile,
        profile.suite === 'intl' ? root : smRoot,
        notAfter,
      );
    }
    const systemPaths: Record<string, CertKeyPaths> = {};
    for (const system of systems) {
      systemPaths[system] = await writer.leaf(member, systemProfile(member, system), root, notAfter);
    }
    const pick = (file: string): CertKeyPaths => issued[file] ?? writer.paths(member, file);
    const seal = writeDevSeal(outDir, member, pick, new Date(now - BACKDATE_MS), validDays);
    seals.push(seal.manifest);
    layouts[member] = {
      dir: join(outDir, member),
      nodeTls: pick('node-tls'),
      intlSigning: pick('intl-signing'),
      intlEncryption: pick('intl-encryption'),
      smSigning: pick('sm-signing'),
      smEncryption: pick('sm-encryption'),
      smSealMaker: pick('sm-seal-maker'),
      smSealSigner: pick('sm-seal-signer'),
      intlSealSigner: pick('intl-seal-signer'),
      seal: seal.layout,
      systems: systemPaths,
    };
  }

  const manifest = join(outDir, 'manifest.json');
  const document = {
    generatedAt: new Date(now).toISOString(),
    validDays,
    members,
    systems,
    certificates: writer.entries,
    seals,
  };
  writeFileSync(manifest, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o644 });
  return {
    outDir,
    rootCa: writer.paths('root-ca'),
    smRootCa: writer.paths('sm-root-ca'),
    members: layouts,
    manifest,
  };
}
