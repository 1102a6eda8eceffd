import type { Command } from 'commander';
import { CaseStore, listOverdue } from '../cases/index.js';
import { openAdminSession } from './admin-session.js';

/**
 * `tongban cases overdue | show`: read-only views of the node's case files (Redis). Deadlines are
 * working-day deadlines in Asia/Shanghai (户籍地 review: 2 working days after delivery; 受理地
 * contact: 1 working day after the decision).
 */
export function registerCasesCommands(program: Command): void {
  const cases = program.command('cases').description('newborn cases kept by this node');

  cases
    .command('overdue')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .option('--json', 'print JSON lines')
    .option('--limit <n>', 'at most this many cases', '1000')
    .description('list open cases past a deadline (alerted or not), earliest deadline first')
    .action(async (opts: { config: string; json?: boolean; limit: string }) => {
      const s = await openAdminSession(opts.config, { audit: false });
      try {
        const now = new Date();
        const found = await listOverdue(
          new CaseStore(s.redis, s.config.redis.prefix),
          s.calendar,
          now,
          Math.max(1, Number(opts.limit) || 1000),
        );
        for (const f of found) {
          if (opts.json) process.stdout.write(JSON.stringify(f) + '\n');
          else {
            const who = f.kind === 'review' ? `户籍地 ${f.duty} review` : `受理地 ${f.duty} contact`;
            process.stdout.write(
              `${f.caseId}  ${f.state.padEnd(9)}  ${who} due ${f.dueAt}  (${f.agreement} ${f.acceptingMember}→${f.registeringMember})\n`,
            );
          }
        }
        if (!opts.json)
          process.stdout.write(
            `${found.length} overdue deadline${found.length === 1 ? '' : 's'} at ${now.toISOString()}\n`,
          );
      } finally {
        await s.close();
      }
    });

  cases
    .command('show')
    .argument('<caseId>', '业务流水号')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .description('print the case file (state, history, deadlines) as JSON')
    .action(async (caseId: string, opts: { config: string }) => {
      const s = await openAdminSession(opts.config, { audit: false });
      try {
        const file = await new CaseStore(s.redis, s.config.redis.prefix).get(caseId);
        if (!file) {
          process.stderr.write(`no case ${caseId} on this node\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(JSON.stringify(file, null, 2) + '\n');
      } finally {
        await s.close();
      }
    });
}
