import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  BirthCertificateRegistry,
  maskCertificateNo,
  parseBlacklistCsv,
  requireCertificateNo,
} from '../cases/index.js';
import { openAdminSession } from './admin-session.js';

/**
 * `tongban blacklist import <csv> | remove <number> | check <number>`: the member's 出生医学证明
 * blacklist in the node's Redis. Every change is written to the exchange log as an `admin` event
 * (chain `<instanceId>-cli`), numbers masked like everywhere in the log.
 */
export function registerBlacklistCommands(program: Command): void {
  const blacklist = program
    .command('blacklist')
    .description('出生医学证明 blacklist of this member (imports and removals are audited)');

  blacklist
    .command('import')
    .argument(
      '<csv>',
      'CSV file: number,reason,reportedBy,reportedOn (samples/birth-certificate-blacklist.csv)',
    )
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .description('list the numbers of a CSV file; rows already listed with the same data are left alone')
    .action(async (file: string, opts: { config: string }) => {
      // Parse first: a bad file changes nothing and opens nothing.
      const entries = parseBlacklistCsv(readFileSync(file, 'utf8'));
      const s = await openAdminSession(opts.config, { audit: true });
      try {
        const registry = new BirthCertificateRegistry(s.redis, s.config.redis.prefix);
        const result = await registry.importBlacklist(entries);
        const byNumber = new Map(entries.map((e) => [e.number, e]));
        for (const [action, numbers] of [
          ['blacklist-add', result.added],
          ['blacklist-update', result.updated],
        ] as const) {
          for (const n of numbers) {
            const e = byNumber.get(n)!;
            await s.exchangeLog!.record({
              event: 'admin',
              actor: s.actor,
              outcome: 'ok',
              detail: {
                action,
                certificate: maskCertificateNo(n),
                reason: e.reason,
                reportedBy: e.reportedBy,
                reportedOn: e.reportedOn,
                source: basename(file),
              },
            });
          }
        }
        process.stdout.write(
          `imported ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${result.added.length} added, ${result.updated.length} updated, ${result.unchanged.length} unchanged\n`,
        );
      } finally {
        await s.close();
      }
    });

  blacklist
    .command('remove')
    .argument('<number>', '出生医学证明 number, e.g. Q310000001')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .description('take a number off the blacklist (a number used by a case stays used)')
    .action(async (number: string, opts: { config: string }) => {
      const no = requireCertificateNo(number);
      const s = await openAdminSession(opts.config, { audit: true });
      try {
        const removed = await new BirthCertificateRegistry(
          s.redis,
          s.config.redis.prefix,
        ).removeFromBlacklist(no);
        await s.exchangeLog!.record({
          event: 'admin',
          actor: s.actor,
          outcome: removed ? 'ok' : 'error',
          detail: { action: 'blacklist-remove', certificate: maskCertificateNo(no), found: removed },
        });
        process.stdout.write(
          removed ? `removed ${no} from the blacklist\n` : `${no} was not on the blacklist\n`,
        );
        if (!removed) process.exitCode = 1;
      } finally {
        await s.close();
      }
    });

  blacklist
    .command('check')
    .argument('<number>', '出生医学证明 number')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .description('print unused | used | blacklisted for a number')
    .action(async (number: string, opts: { config: string }) => {
      const no = requireCertificateNo(number);
      const s = await openAdminSession(opts.config, { audit: false });
      try {
        const st = await new BirthCertificateRegistry(s.redis, s.config.redis.prefix).check(no);
        process.stdout.write(
          `${no} ${st.status}${st.reason ? ` (${st.reason})` : ''}${st.usedBy ? ` by case ${st.usedBy}` : ''}\n`,
        );
      } finally {
        await s.close();
      }
    });
}
