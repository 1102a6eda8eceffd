import { createSuiteRegistry, type SuiteName, type SuiteRegistry } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { verifyReceipt, type SignedReceipt } from '../receipts/index.js';
import { checkpointVerifier } from './checkpoint-verifier.js';
import { certSubject, checkCertificateChain } from './cert-chain.js';
import { EVIDENCE_FORMAT } from './evidence-types.js';
import type { EvidenceBundle, EvidenceCertificate, EvidenceCertRole } from './evidence-types.js';
import { checkDigests, checkLinks } from './evidence-links.js';
import { verifyExcerpt } from './verify-excerpt.js';
import type { LogEntry } from './types.js';

/** One check of an evidence bundle, for the report. */
export interface EvidenceCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

/** Outcome of {@link verifyEvidenceBundle}: `ok` only when every check passed. */
export interface EvidenceVerdict {
  readonly ok: boolean;
  readonly checks: readonly EvidenceCheck[];
}

/** Options of {@link verifyEvidenceBundle}. */
export interface EvidenceVerifyOptions {
  /** Trusted root certificates (DER): the international root and/or the SM2 root. */
  readonly roots: readonly Buffer[];
  readonly suites?: SuiteRegistry;
  /** The packet itself (JSON), when disclosed: its digest must be the one the receipts name. */
  readonly content?: Buffer;
}

/** Parses a bundle file's text; throws `GW_ERR_AUDIT_EVIDENCE_MALFORMED` for anything else. */
export function parseEvidenceBundle(text: string): EvidenceBundle {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new GatewayError('GW_ERR_AUDIT_EVIDENCE_MALFORMED', 'the bundle is not JSON');
  }
  const b = v as Partial<EvidenceBundle> | null;
  const ok =
    typeof b === 'object' &&
    b !== null &&
    b.format === EVIDENCE_FORMAT &&
    typeof b.issuer?.member === 'string' &&
    typeof b.packet?.id === 'string' &&
    (b.packet.direction === 'out' || b.packet.direction === 'in') &&
    typeof b.receipts === 'object' &&
    b.receipts !== null &&
    Array.isArray(b.certificates) &&
    b.certificates.every((c) => typeof c?.der === 'string' && typeof c.role === 'string') &&
    Array.isArray(b.log) &&
    b.log.every((x) => Array.isArray(x?.lines) && x.lines.every((l: unknown) => typeof l === 'string')) &&
    (b.envelope === undefined || typeof b.envelope === 'string');
  if (!ok) throw new GatewayError('GW_ERR_AUDIT_EVIDENCE_MALFORMED', `not a ${EVIDENCE_FORMAT} bundle`);
  return b as EvidenceBundle;
}

/**
 * Checks an evidence bundle offline with nothing but the trusted roots: every certificate chains
 * to a root; each log excerpt is an intact run of its chain ending in a checkpoint signed by the
 * issuing gateway's signing certificate, covering the packet's entries; the receipts verify
 * against the certificates of the gateways named as their issuers (valid when they signed); the
 * receipts, the logged digests and the sealed envelope all name the same packet and content.
 */
export async function verifyEvidenceBundle(
  bundle: EvidenceBundle,
  opts: EvidenceVerifyOptions,
): Promise<EvidenceVerdict> {
  const suites = opts.suites ?? createSuiteRegistry();
  const checks: EvidenceCheck[] = [];
  const check = (name: string, ok: boolean, message: string): boolean => {
    checks.push({ name, ok, message });
    return ok;
  };
  const p = bundle.packet;
  const pool = bundle.certificates.filter((c) => c.role === 'ca').map((c) => Buffer.from(c.der, 'base64'));
  const certOf = (
    role: EvidenceCertRole,
    member: string,
    suite?: SuiteName,
  ): EvidenceCertificate | undefined =>
    bundle.certificates.find(
      (c) => c.role === role && c.member === member && (suite === undefined || c.suite === suite),
    );
  const trusted = (der: Buffer, at?: Date) => checkCertificateChain(der, { roots: opts.roots, pool, at });

  for (const c of bundle.certificates) {
    if (c.role === 'ca') continue;
    const der = Buffer.from(c.der, 'base64');
    const r = trusted(der);
    // Roles and members in a bundle are claims of its maker: a certificate counts for a member
    // only if its subject names the member code (the gateway PKI puts it in O; see certs/README).
    const named =
      typeof c.member === 'string' &&
      certSubject(der)
        .split(/[^A-Za-z0-9]+/)
        .includes(c.member);
    check(
      `certificate ${c.role} ${c.member ?? ''}${c.suite ? ` (${c.suite})` : ''}`,
      r.ok && named,
      !r.ok
        ? r.reason
        : named
          ? r.path.join(' ← ')
          : `${certSubject(der)} does not name member ${String(c.member)}`,
    );
  }

  // The log: each excerpt intact, signed by the issuing gateway, covering the packet's entries.
  const entries: LogEntry[] = [];
  if (!check('log excerpts', bundle.log.length > 0, `${bundle.log.length} chain excerpt(s)`)) return done();
  for (const x of bundle.log) {
    const name = `log ${x.member}/${x.instance}`;
    const own = certOf('node-signing', x.member);
    // Only the gateway's own signing certificates (as the bundle lists them) may sign its log.
    const signers = bundle.certificates
      .filter((c) => c.role === 'node-signing' && c.member === x.member)
      .map((c) => Buffer.from(c.der, 'base64'));
    const r = await verifyExcerpt(x, p.id, checkpointVerifier(suites, signers));
    check(name, r.ok, r.message);
    if (!r.ok) continue;
    const cpCert = Buffer.from(String(r.checkpoint.detail?.cert ?? ''), 'base64');
    const chain = trusted(cpCert, new Date(r.checkpoint.time));
    const sameGateway = own !== undefined && x.member === bundle.issuer.member;
    check(
      `${name}: checkpoint signer`,
      chain.ok && sameGateway,
      !sameGateway
        ? `a log of ${x.member} in a bundle made by ${bundle.issuer.member}`
        : chain.ok
          ? `${certSubject(cpCert)} (${x.member}) signed seq ${r.checkpoint.seq} at ${r.checkpoint.time}`
          : chain.reason,
    );
    entries.push(...r.packetEntries);
  }

  const receipts: Array<['acceptance' | 'delivery', SignedReceipt | undefined]> =
    p.direction === 'out'
      ? [
          ['acceptance', bundle.receipts.acceptance],
          ['delivery', bundle.receipts.delivery],
        ]
      : [['delivery', bundle.receipts.delivery]];
  for (const [kind, rc] of receipts) {
    const name = `${kind} receipt`;
    if (!rc) {
      check(
        name,
        false,
        kind === 'delivery'
          ? `none: the receiver has not confirmed delivery (status ${p.status})`
          : 'missing',
      );
      continue;
    }
    const issuerMember = kind === 'acceptance' ? p.from : p.to;
    // The issuing gateway signed its own receipt; the receiver signed the delivery receipt of an outbound packet.
    const role: EvidenceCertRole =
      p.direction === 'out' && kind === 'delivery' ? 'peer-signing' : 'node-signing';
    const cert = certOf(role, rc.issuer, rc.suite);
    if (
      !check(
        `${name}: issuer`,
        rc.issuer === issuerMember && cert !== undefined,
        `issued by ${rc.issuer}, expected ${issuerMember}${cert ? '' : ' (no signing certificate for it in the bundle)'}`,
      )
    )
      continue;
    const der = Buffer.from(cert!.der, 'base64');
    try {
      await verifyReceipt(rc, suites(rc.suite), der);
    } catch (err) {
      check(name, false, err instanceof Error ? err.message : String(err));
      continue;
    }
    const chain = trusted(der, new Date(rc.at));
    const fields =
      rc.kind === kind &&
      rc.packetId === p.id &&
      rc.caseId === p.caseId &&
      rc.type === p.type &&
      rc.from === p.fromOffice &&
      rc.to === p.toOffice;
    check(
      name,
      chain.ok && fields,
      !fields
        ? 'signed, but for another packet, case, type or route than the bundle names'
        : chain.ok
          ? `signed by ${rc.issuer} (${certSubject(der)}) at ${rc.at}, ${rc.suite}`
          : chain.reason,
    );
  }
  checkLinks(bundle, entries, check);
  checkDigests(bundle, opts.content, check);
  return done();

  function done(): EvidenceVerdict {
    return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
  }
}
