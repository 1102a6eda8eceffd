import { createWriteStream, type WriteStream } from 'node:fs';
import type { Command } from 'commander';
import {
  checkpointVerifier,
  csvHeader,
  exportEntries,
  findPerson,
  formatExported,
  parseTimeBoundary,
  readAuditSecret,
  readTrail,
  verifyLogDir,
  type ExportFormat,
  type LogEntry,
} from '../audit/index.js';
import { createSuiteRegistry } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { loadCertDer } from '../pki/index.js';
import { registerEvidenceCommands } from './audit-evidence-commands.js';

/**
 * `tongban audit verify|trail|export|find|evidence` for auditors; all but `evidence <packetId>`
 * work offline on a copy of the log folder(s).
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('exchange-log tools for auditors (offline)');
  audit
    .command('verify')
    .argument('<dir>', 'exchange-log folder')
    .option(
      '--trust <cert...>',
      "the node's signing certificate(s) (PEM or DER) that checkpoints must be signed with",
    )
    .description('check the hash chain and signed checkpoints; exit 1 naming the first damaged entry')
    .action(async (dir: string, opts: { trust?: string[] }) => {
      const trusted = opts.trust?.map((f) => loadCertDer(f));
      const r = await verifyLogDir(dir, {
        verifySignature: checkpointVerifier(createSuiteRegistry(), trusted),
        requireSignatures: !!trusted,
      });
      if (r.ok) {
        process.stdout.write(
          `OK: ${r.entries} entries, ${r.checkpoints} checkpoints (${r.signaturesVerified} signatures verified), instances ${r.instances.join(', ')}\n`,
        );
        if (!trusted)
          process.stdout.write(
            'note: checkpoint signers were not pinned; pass --trust <signing cert> to check who signed\n',
          );
        return;
      }
      for (const p of r.problems) {
        process.stdout.write(
          `DAMAGED ${p.kind}: ${p.file}${p.seq !== undefined ? ` seq ${p.seq}` : ''}${p.line !== undefined ? ` line ${p.line}` : ''}\n`,
        );
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
      for (const e of entries) process.stdout.write(opts.json ? JSON.stringify(e) + '\n' : timelineLine(e));
      if (entries.length === 0) process.exitCode = 1;
    });
  audit
    .command('export')
    .argument('<dir...>', 'exchange-log folder(s)')
    .requiredOption('--from <date>', 'start: YYYY-MM-DD (Asia/Shanghai day) or ISO 8601 date-time')
    .requiredOption('--to <date>', 'end, inclusive: YYYY-MM-DD (the whole day) or ISO 8601 date-time')
    .option('--format <format>', 'csv or jsonl (the log lines themselves)', 'csv')
    .option('--out <file>', 'write to a file instead of standard output')
    .description('entries of a period, masked as in the log (no name or ID number in clear)')
    .action(async (dirs: string[], opts: { from: string; to: string; format: string; out?: string }) => {
      if (opts.format !== 'csv' && opts.format !== 'jsonl') {
        throw new GatewayError(
          'GW_ERR_AUDIT_QUERY_INVALID',
          `--format must be csv or jsonl, not ${opts.format}`,
        );
      }
      const format: ExportFormat = opts.format;
      const range = { from: parseTimeBoundary(opts.from, 'from'), to: parseTimeBoundary(opts.to, 'to') };
      const found = await exportEntries(dirs, range);
      const out: NodeJS.WritableStream | WriteStream = opts.out
        ? createWriteStream(opts.out)
        : process.stdout;
      if (format === 'csv') out.write(csvHeader());
      for (const s of found) out.write(formatExported(s, format));
      if (opts.out)
        await new Promise<void>((resolve, reject) =>
          (out as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())),
        );
      process.stderr.write(`${found.length} entries\n`);
    });
  audit
    .command('find')
    .argument('<dir...>', 'exchange-log folder(s)')
    .requiredOption('--id-number <n>', '公民身份号码 of the person')
    .requiredOption('--key <secretFile>', "the node's audit secret (config audit.secretFile)")
    .option('--json', 'print JSON lines')
    .description(
      "every entry about one citizen, found by the keyed hash of the ID number (needs the node's key)",
    )
    .action(async (dirs: string[], opts: { idNumber: string; key: string; json?: boolean }) => {
      const found = await findPerson(dirs, readAuditSecret(opts.key), opts.idNumber);
      for (const s of found) process.stdout.write(opts.json ? `${s.line}\n` : timelineLine(s.entry));
      if (found.length === 0) process.exitCode = 1;
    });
  registerEvidenceCommands(audit);
}

/** One readable timeline line: time, gateway, seq, event, outcome, route, actor, masked people. */
function timelineLine(e: LogEntry): string {
  const people = (e.people ?? []).map((p) => `${p.role}:${p.masked ?? p.maskedName ?? '-'}`).join(' ');
  return `${e.time} ${e.member}/${e.instance} #${e.seq} ${e.event.padEnd(11)} ${e.outcome}${e.code ? ` ${e.code}` : ''} ${e.type ?? ''} ${e.from ?? ''}→${e.to ?? ''} ${e.actor}${e.packetId ? ` packet ${e.packetId}` : ''}${people ? ` [${people}]` : ''}\n`;
}
