import type { Command } from 'commander';
import { readTrail, verifyLogDir } from '../audit/index.js';
import { createSuiteRegistry } from '../crypto/index.js';
import { auditSignatureVerifier } from '../demo/index.js';
import { loadCertDer } from '../pki/index.js';

/** `tongban audit verify|trail` for auditors; work offline on a copy of the log folder. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('exchange-log tools for auditors (offline)');
  audit
    .command('verify')
    .argument('<dir>', 'exchange-log folder')
    .option('--trust <cert...>', "the node's signing certificate(s) (PEM or DER) that checkpoints must be signed with")
    .description('check the hash chain and signed checkpoints; exit 1 naming the first damaged entry')
    .action(async (dir: string, opts: { trust?: string[] }) => {
      const trusted = opts.trust?.map((f) => loadCertDer(f));
      const r = await verifyLogDir(dir, { verifySignature: auditSignatureVerifier(createSuiteRegistry(), trusted), requireSignatures: !!trusted });
      if (r.ok) {
        process.stdout.write(`OK: ${r.entries} entries, ${r.checkpoints} checkpoints (${r.signaturesVerified} signatures verified), instances ${r.instances.join(', ')}\n`);
        if (!trusted) process.stdout.write('note: checkpoint signers were not pinned; pass --trust <signing cert> to check who signed\n');
        return;
      }
      for (const p of r.problems) {
        process.stdout.write(`DAMAGED ${p.kind}: ${p.file}${p.seq !== undefined ? ` seq ${p.seq}` : ''}${p.line !== undefined ? ` line ${p.line}` : ''}\n`);
      }
      process.exitCode = 1;
    });
  audit
    .command('trail')
    .argument('<dir...>', 'exchange-log folder(s), e.g. both gateways of a case')
    .option('--case <id>', 'case id (业务流水号)')
    .option('--message <id>', 'packet id')
    .option('--json', 'print JSON lines')
    .description('a readable timeline of one case or one packet across log files')
    .action(async (dirs: string[], opts: { case?: string; message?: string; json?: boolean }) => {
      if (!opts.case && !opts.message) throw new Error('give --case <id> or --message <id>');
      const entries = await readTrail(dirs, { caseId: opts.case, packetId: opts.message });
      for (const e of entries) {
        if (opts.json) process.stdout.write(JSON.stringify(e) + '\n');
        else {
          process.stdout.write(
            `${e.time} ${e.member}/${e.instance} #${e.seq} ${e.event.padEnd(11)} ${e.outcome}${e.code ? ` ${e.code}` : ''} ${e.type ?? ''} ${e.from ?? ''}→${e.to ?? ''} ${e.actor}\n`,
          );
        }
      }
      if (entries.length === 0) process.exitCode = 1;
    });
}
