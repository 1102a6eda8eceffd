import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  buildEvidenceBundle,
  certSubject,
  parseEvidenceBundle,
  verifyEvidenceBundle,
  type EvidenceCertificate,
  type EvidenceCertRole,
} from '../audit/index.js';
import { loadConfig, type GatewayConfig } from '../config/index.js';
import type { SuiteName } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { loadCertDer } from '../pki/index.js';
import { connectRedis, PacketStore, resolveRedis, waitReady } from '../queue/index.js';

/**
 * `tongban audit evidence <packetId> -c <config> --out <file>` (made on the gateway, from its
 * store and log) and `tongban audit evidence verify <file> --root … [--sm-root …]` (anywhere,
 * offline, with the bundle and the root certificates only).
 */
export function registerEvidenceCommands(audit: Command): void {
  const evidence = audit
    .command('evidence')
    .argument('[packetId]', 'packet id (UUID) whose evidence to collect')
    .option('-c, --config <file>', "the gateway's config (YAML): store, log folder, certificates")
    .option('--out <file>', 'bundle file to write (JSON, tongban-evidence/1)')
    .option('--log-dir <dir...>', "more exchange-log folders (the node's other instances)")
    .description(
      'write one evidence file for a packet: sealed envelope, receipts, certificates, signed log excerpt',
    )
    .action(
      async (packetId: string | undefined, opts: { config?: string; out?: string; logDir?: string[] }) => {
        if (!packetId || !opts.config || !opts.out) {
          throw new GatewayError(
            'GW_ERR_AUDIT_QUERY_INVALID',
            'usage: tongban audit evidence <packetId> -c <config.yaml> --out <file>',
          );
        }
        const config = loadConfig(opts.config);
        const record = await readRecord(config, packetId);
        const bundle = await buildEvidenceBundle({
          record,
          issuer: { member: config.node.member, instance: config.node.instanceId },
          certificates: involvedCertificates(config, record.peer),
          logDirs: [config.audit.dir, ...(opts.logDir ?? [])],
        });
        writeFileSync(opts.out, `${JSON.stringify(bundle, null, 2)}\n`);
        const lines = bundle.log.reduce((n, x) => n + x.lines.length, 0);
        process.stdout.write(
          `wrote ${opts.out}: packet ${record.id} (${record.direction}, ${record.status}), ${bundle.certificates.length} certificates, ${lines} log lines from ${bundle.log.length} chain(s)\n`,
        );
      },
    );

  evidence
    .command('verify')
    .argument('<file>', 'evidence bundle')
    .requiredOption('--root <cert...>', 'trusted root certificate(s), PEM or DER (the international root)')
    .option('--sm-root <cert...>', 'trusted SM2 root certificate(s) for 国密 certificates')
    .option('--content <packet.json>', 'the packet itself, if disclosed: its digest must match the receipts')
    .option('--json', 'print the verdict as JSON')
    .description('check a bundle offline: certificate chains, signed log excerpt, receipts, envelope digest')
    .action(
      async (file: string, opts: { root: string[]; smRoot?: string[]; content?: string; json?: boolean }) => {
        const bundle = parseEvidenceBundle(readFileSync(file, 'utf8'));
        const roots = [...opts.root, ...(opts.smRoot ?? [])].map((f) => loadCertDer(f));
        const verdict = await verifyEvidenceBundle(bundle, {
          roots,
          content: opts.content ? readFileSync(opts.content) : undefined,
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(verdict)}\n`);
        } else {
          const p = bundle.packet;
          process.stdout.write(
            `evidence for ${p.type} ${p.id} (case ${p.caseId}) ${p.fromOffice} → ${p.toOffice}, made by ${bundle.issuer.member} at ${bundle.createdAt}\n`,
          );
          for (const c of verdict.checks)
            process.stdout.write(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.message}\n`);
          const failed = verdict.checks.filter((c) => !c.ok).length;
          process.stdout.write(verdict.ok ? 'VERIFIED\n' : `NOT VERIFIED: ${failed} check(s) failed\n`);
        }
        if (!verdict.ok) process.exitCode = 1;
      },
    );
}

/** The stored record, read from the gateway's Redis (the one its config names, as `start` finds it). */
async function readRecord(config: GatewayConfig, packetId: string) {
  const target = await resolveRedis(config.redis.url, config.node.dataDir);
  const redis = connectRedis(target.url, { name: `tongban-${config.node.member}-audit` });
  redis.on('error', () => undefined); // surfaced by waitReady / the read
  try {
    await waitReady(redis);
    const record = await new PacketStore(redis, config.redis.prefix).get(packetId);
    if (!record)
      throw new GatewayError(
        'GW_ERR_AUDIT_EVIDENCE_NOT_FOUND',
        `packet ${packetId} is not in the store of ${config.node.member}`,
      );
    return record;
  } finally {
    redis.disconnect();
    await target.stop();
  }
}

/** This gateway's and the peer's signing, encryption and TLS certificates, and the TLS CAs. */
function involvedCertificates(config: GatewayConfig, peerMember: string | undefined): EvidenceCertificate[] {
  const out: EvidenceCertificate[] = [];
  const add = (role: EvidenceCertRole, path: string, member?: string, suite?: SuiteName): void => {
    const der = loadCertDer(path);
    out.push({
      role,
      ...(member ? { member } : {}),
      ...(suite ? { suite } : {}),
      der: der.toString('base64'),
      subject: certSubject(der),
    });
  };
  const own = config.node.member;
  for (const [suite, s] of Object.entries(config.crypto.suites) as Array<
    [SuiteName, { signing: { cert: string }; encryption: { cert: string } }]
  >) {
    add('node-signing', s.signing.cert, own, suite);
    add('node-encryption', s.encryption.cert, own, suite);
  }
  add('node-tls', config.tls.cert, own);
  const peer = config.peers.find((p) => p.member === peerMember);
  if (peer) {
    for (const [suite, c] of Object.entries(peer.certs) as Array<
      [SuiteName, { signing: string; encryption: string }]
    >) {
      add('peer-signing', c.signing, peer.member, suite);
      add('peer-encryption', c.encryption, peer.member, suite);
    }
    add('peer-tls', peer.tlsCert, peer.member);
  }
  for (const ca of config.tls.ca) add('ca', ca);
  return out;
}
