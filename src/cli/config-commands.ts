import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkConfigFile } from '../config/index.js';
import { DEV_SYSTEMS } from '../demo/dev-config.js';
import { initDevPki } from '../pki/index.js';

const DEFAULT_MEMBERS = '520000,510000,500000,310000,320000,330000,340000';

/** `tongban config check` and `tongban certs init`. */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('validate node configuration files');
  config
    .command('check')
    .argument('<file...>', 'YAML config file(s)')
    .description('print every problem with file, line, path and what was expected; exit 1 if any')
    .action((files: string[]) => {
      let bad = 0;
      for (const f of files) {
        const r = checkConfigFile(f);
        if (r.ok) {
          process.stdout.write(`${resolve(f)}: OK (member ${r.config.node.member}, ${r.config.peers.length} peers, ${r.config.agreements.length} agreements)\n`);
          continue;
        }
        bad++;
        for (const p of r.problems) {
          process.stdout.write(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.path || '/'}: ${p.message}\n`);
        }
      }
      if (bad) process.exitCode = 1;
    });

  const certs = program.command('certs').description('development PKI');
  certs
    .command('init')
    .requiredOption('--out <dir>', 'output folder (keys are written 0600; never commit them)')
    .option('--members <codes>', 'comma-separated member codes', DEFAULT_MEMBERS)
    .description('make a development root CA (intl and SM2) and per-member node, signing, encryption, seal and system certificates')
    .action(async (opts: { out: string; members: string }) => {
      const members = opts.members.split(',').map((m) => m.trim()).filter(Boolean);
      await initDevPki({ outDir: resolve(opts.out), members, systems: [...DEV_SYSTEMS] });
      process.stdout.write(`development PKI for ${members.join(', ')} written to ${resolve(opts.out)}\n`);
    });
}
