import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicConstraints, Certificate, id_ce_basicConstraints } from '@peculiar/asn1-x509';
import { SM_OID, verifySm2CertificateSignature } from '../crypto/sm/index.js';

/** A parsed certificate, enough for path building. */
interface CertInfo {
  readonly der: Buffer;
  readonly issuer: Buffer;
  readonly subject: Buffer;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly sigAlg: string;
  readonly isCa: boolean;
  readonly display: string;
}

/** Outcome of {@link checkCertificateChain}. */
export type ChainCheck =
  | {
      readonly ok: true;
      /** Subjects from the leaf up to the trusted root. */ readonly path: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/** Readable subject (`CN=…, O=…`); parsing problems give a placeholder, never a throw. */
export function certSubject(der: Buffer): string {
  try {
    return new X509Certificate(der).subject.split('\n').join(', ');
  } catch {
    return '(unreadable certificate)';
  }
}

function parseCert(der: Buffer): CertInfo {
  const c = AsnConvert.parse(der, Certificate);
  const tbs = c.tbsCertificate;
  const bcExt = tbs.extensions?.find((e) => e.extnID === id_ce_basicConstraints);
  const isCa = bcExt ? AsnConvert.parse(bcExt.extnValue, BasicConstraints).cA : false;
  return {
    der,
    issuer: Buffer.from(AsnConvert.serialize(tbs.issuer)),
    subject: Buffer.from(AsnConvert.serialize(tbs.subject)),
    notBefore: tbs.validity.notBefore.getTime().getTime(),
    notAfter: tbs.validity.notAfter.getTime().getTime(),
    sigAlg: c.signatureAlgorithm.algorithm,
    isCa,
    display: certSubject(der),
  };
}

/**
 * Whether `parent`'s key signed `child`. SM2-with-SM3 certificates are checked with standard SM2
 * (default ID, GB/T 32918) through the SM suite, because Node's X509Certificate.verify does not
 * compute SM2 signatures with the standard ID; everything else with Node's `verify`.
 */
function signedBy(child: CertInfo, parent: CertInfo): boolean {
  if (!child.issuer.equals(parent.subject)) return false;
  try {
    if (child.sigAlg === SM_OID.SM2_WITH_SM3) {
      verifySm2CertificateSignature(child.der, parent.der);
      return true;
    }
    return new X509Certificate(child.der).verify(new X509Certificate(parent.der).publicKey);
  } catch {
    return false;
  }
}

/**
 * Builds a path from `leafDer` to one of `roots` through the optional `pool` (intermediates),
 * checking each signature, that each issuer below a root is a CA, and — with `at` — that every
 * certificate on the path was valid at that time (the time of the signature being judged).
 * Trust comes from `roots` only: a root found in `pool` is just another certificate.
 */
export function checkCertificateChain(
  leafDer: Buffer,
  opts: {
    readonly roots: readonly Buffer[];
    readonly pool?: readonly Buffer[];
    readonly at?: Date;
    readonly maxDepth?: number;
  },
): ChainCheck {
  let roots: CertInfo[];
  let pool: CertInfo[];
  let current: CertInfo;
  try {
    roots = opts.roots.map(parseCert);
    pool = (opts.pool ?? []).map(parseCert);
    current = parseCert(leafDer);
  } catch {
    return { ok: false, reason: 'a certificate is not valid DER X.509' };
  }
  const at = opts.at?.getTime();
  const path: CertInfo[] = [current];
  const validAt = (c: CertInfo): boolean => at === undefined || (c.notBefore <= at && at <= c.notAfter);
  for (let depth = 0; depth < (opts.maxDepth ?? 5); depth++) {
    if (!validAt(current)) {
      return { ok: false, reason: `${current.display} was not valid at ${opts.at!.toISOString()}` };
    }
    if (roots.some((r) => r.der.equals(current.der))) return { ok: true, path: path.map((c) => c.display) };
    const root = roots.find((r) => signedBy(current, r));
    if (root) {
      if (!validAt(root))
        return { ok: false, reason: `root ${root.display} was not valid at ${opts.at!.toISOString()}` };
      return { ok: true, path: [...path, root].map((c) => c.display) };
    }
    const next = pool.find((p) => p.isCa && !path.some((q) => q.der.equals(p.der)) && signedBy(current, p));
    if (!next) return { ok: false, reason: `no given root or CA certificate signed ${current.display}` };
    path.push(next);
    current = next;
  }
  return { ok: false, reason: 'certificate path too long' };
}
