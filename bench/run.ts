import { benchEndToEnd } from './end-to-end.js';
import type { BenchRow } from './bench-row.js';
import { benchIntl } from './crypto-intl.js';
import { benchSm } from './crypto-sm.js';

/**
 * `npm run bench`: crypto suites and end-to-end exchange between two nodes on loopback. Every
 * limit is measured in the same run on the same machine, so the ratios stay meaningful on a
 * shared, noisy machine where absolute numbers do not.
 */
async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const rows: BenchRow[] = [...(await benchSm()), ...(await benchIntl()), ...(await benchEndToEnd(redisUrl))];
  const fmt = (n: number | undefined): string => (n === undefined ? '' : n >= 100 ? n.toFixed(0) : n.toFixed(2));
  const width = Math.max(...rows.map((r) => r.name.length));
  process.stdout.write(`${'benchmark'.padEnd(width)}  ${'median'.padStart(10)}  unit        ${'limit'.padStart(10)}  ratio\n`);
  for (const r of rows) {
    process.stdout.write(
      `${r.name.padEnd(width)}  ${fmt(r.median).padStart(10)}  ${r.unit.padEnd(10)}  ${fmt(r.limit).padStart(10)}  ${r.ratio === undefined ? '' : r.ratio.toFixed(2)}${r.note ? `  (${r.note})` : ''}\n`,
    );
  }
  process.stdout.write('\n' + JSON.stringify({ node: process.version, cpus: (await import('node:os')).cpus().length, rows }, null, 2) + '\n');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
