import { Command } from 'commander';
import { registerAuditCommands } from '../../src/cli/audit-commands.js';

/** What a `tongban audit …` run printed and its exit status. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `tongban audit …` in this process, through the same commander wiring as the binary
 * (src/cli/main.ts registers the same function), and reports the exit status main.ts would give.
 */
export async function runAudit(args: readonly string[]): Promise<CliRun> {
  const program = new Command('tongban').exitOverride();
  registerAuditCommands(program);
  let out = '';
  let err = '';
  const write = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  process.stdout.write = ((chunk: string | Uint8Array) => (
    (out += String(chunk)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (
    (err += String(chunk)),
    true
  )) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = 0;
  let code: number;
  try {
    await program.parseAsync(['node', 'tongban', 'audit', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    const x = e as { code?: string; message?: string };
    err += `${x.code ?? 'error'}: ${x.message ?? String(e)}\n`;
    code = 1;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = before;
  }
  return { code, out, err };
}
