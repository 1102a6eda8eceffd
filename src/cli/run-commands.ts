import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { loadConfig } from '../config/index.js';
import { GatewayError } from '../errors.js';
import { runDemo } from '../demo/index.js';
import { createNode } from '../node/index.js';
import { createMtlsClient } from '../peer/index.js';

/** The file `start` writes its pid to, in the node's data folder. */
export const PID_FILE = 'tongban.pid';

/** `tongban start`, `tongban reload`, `tongban send`, `tongban demo`. */
export function registerRunCommands(program: Command): void {
  program
    .command('start')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .description('run a gateway node until SIGINT/SIGTERM (a second signal forces exit); SIGHUP reloads the config')
    .action(async (opts: { config: string }) => {
      const node = await createNode(loadConfig(opts.config));
      const urls = await node.listen();
      const pidFile = join(node.config.node.dataDir, PID_FILE);
      mkdirSync(dirname(pidFile), { recursive: true });
      writeFileSync(pidFile, `${process.pid}\n`);
      process.stdout.write(`tongban ${node.config.node.member} (${node.config.node.name}) api ${urls.api} peer ${urls.peer}${urls.admin ? ` admin ${urls.admin}` : ''}\n`);
      // Reloads are serialized: a second SIGHUP during a reload waits for it.
      let reloading: Promise<unknown> = Promise.resolve();
      process.on('SIGHUP', () => {
        reloading = reloading.then(async () => {
          const r = await node.reload('admin:signal');
          process.stderr.write(`SIGHUP: ${r.message}\n`);
          for (const p of r.problems ?? []) process.stderr.write(`  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.path || '/'}: ${p.message}\n`);
        });
      });
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          process.stderr.write(`${signal} again: forcing exit\n`);
          process.exit(130);
        }
        stopping = true;
        try {
          unlinkSync(pidFile);
        } catch {
          // already gone
        }
        process.stderr.write(`${signal}: stopping (finishing active deliveries, checkpointing the log)\n`);
        node.close().then(
          () => process.exit(0),
          (err: unknown) => {
            process.stderr.write(`shutdown error: ${String(err)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });

  program
    .command('reload')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .description('check the config file, then ask the running node (pid in <dataDir>/tongban.pid) to reload it (SIGHUP)')
    .action((opts: { config: string }) => {
      // Checked here too, so the administrator sees the problems at once; the node checks again.
      const config = loadConfig(opts.config);
      const pidFile = join(config.node.dataDir, PID_FILE);
      let pid: number;
      try {
        pid = Number(readFileSync(pidFile, 'utf8').trim());
        process.kill(pid, 'SIGHUP');
      } catch (err) {
        throw new GatewayError('GW_ERR_CONFIG_NODE_NOT_RUNNING', `cannot signal the node of ${pidFile}: ${(err as Error).message}`);
      }
      process.stdout.write(`config is valid; reload signalled to pid ${pid} (the node logs the outcome and writes it to its exchange log)\n`);
    });

  program
    .command('send')
    .requiredOption('-c, --client <file>', 'client config (YAML): api, ca, cert, key')
    .argument('<packet>', 'packet file (.json or .xml; XML charset from its prolog)')
    .description("submit a packet to a gateway's API as a local system and print the answer")
    .action(async (file: string, opts: { client: string }) => {
      const clientFile = resolve(opts.client);
      const c = parse(readFileSync(clientFile, 'utf8')) as { api: string; ca: string; cert: string; key: string };
      const rel = (p: string): string => resolve(dirname(clientFile), p);
      const client = createMtlsClient({
        ca: [readFileSync(rel(c.ca), 'utf8')],
        cert: readFileSync(rel(c.cert), 'utf8'),
        key: readFileSync(rel(c.key), 'utf8'),
      });
      try {
        const type = extname(file).toLowerCase() === '.xml' ? 'application/xml' : 'application/json';
        const answer = await client.post(`${c.api.replace(/\/$/, '')}/v1/packets`, readFileSync(file), type);
        process.stdout.write(`${answer.status} ${answer.body.toString('utf8')}\n`);
        if (answer.status >= 300) process.exitCode = 1;
      } finally {
        client.close();
      }
    });

  program
    .command('demo')
    .option('--dir <dir>', 'working folder for the demo (PKI, configs, data, logs)', '.demo')
    .option('--keep', 'keep the nodes running after the walkthrough (Ctrl-C to stop)')
    .description('start gateways for 重庆/贵州 (川渝黔) and 上海/浙江 (长三角) and carry the sample cases across, printing the trail')
    .action(async (opts: { dir: string; keep?: boolean }) => {
      const ok = await runDemo({ dir: resolve(opts.dir), out: (s) => process.stdout.write(s + '\n'), keep: opts.keep ?? false });
      if (!ok) process.exitCode = 1;
    });
}
