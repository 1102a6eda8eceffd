#!/usr/bin/env node
import { Command, Option } from 'commander';
import { registerAuditCommands } from './audit-commands.js';
import { registerBlacklistCommands } from './blacklist-commands.js';
import { registerCasesCommands } from './cases-commands.js';
import { registerConfigCommands } from './config-commands.js';
import { registerQueueCommands } from './queue-commands.js';
import { registerRunCommands } from './run-commands.js';
import { registerSealCommands } from './seal-commands.js';

/**
 * `tongban`: the gateway's command line (DESIGN §6). Each command group lives in its own file;
 * errors are printed as one line with their stable code and the exit status is non-zero.
 */
export function buildCli(): Command {
  const program = new Command('tongban')
    .description('Tongban Gateway — 新生儿入户 跨省通办 / 省内通办 data-exchange gateway')
    .addOption(new Option('--log-level <level>', 'operational log level').default('info').env('LOG_LEVEL'))
    .showHelpAfterError();
  registerRunCommands(program);
  registerConfigCommands(program);
  registerAuditCommands(program);
  registerSealCommands(program);
  registerBlacklistCommands(program);
  registerCasesCommands(program);
  registerQueueCommands(program);
  return program;
}

// `tongban audit trail … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

buildCli()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const e = err as { code?: string; message?: string; details?: Array<{ path?: string; message: string }> };
    process.stderr.write(`${e.code ?? 'error'}: ${e.message ?? String(err)}\n`);
    for (const d of e.details ?? []) process.stderr.write(`  ${d.path ?? ''} ${d.message}\n`);
    process.exitCode = 1;
  });
