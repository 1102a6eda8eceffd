import { benchSm } from './crypto-sm.js';

/** Run only the SM benchmarks: `npx tsc -p tsconfig.json && node dist/bench/crypto-sm-main.js`. */
async function main(): Promise<void> {
  const rows = await benchSm();
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(2)}`;
    const limit = r.limit === undefined ? '' : `  limit ${r.limit.toFixed(0).padStart(6)}`;
    process.stdout.write(
      `${r.name.padEnd(width)}  ${r.median.toFixed(0).padStart(6)} ${r.unit}${limit}${ratio}${r.note ? `  (${r.note})` : ''}\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exit(1);
});
