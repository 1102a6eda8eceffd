import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { SuiteName } from '../src/crypto/index.js';
import { devApiClient, startDevNetwork } from '../src/demo/index.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { initDevPki } from '../src/pki/index.js';
import type { BenchRow } from './bench-row.js';
import { median, quantile } from './stats.js';

const CONCURRENCY = 16;

/** Packets/s and latency (submit → delivery receipt verified at the sender) between two nodes on loopback. */
async function endToEnd(suite: SuiteName, pkiDir: string, redisUrl: string, count: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), `tongban-bench-${suite}-`));
  const prefix = `tongban-bench:${suite}:${Date.now().toString(36)}`;
  const net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl, prefix, pkiDir, suiteFor: () => suite, logger: pino({ level: 'warn' }) });
  const sample = JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples', 'newborn-application.yangtze.json'), 'utf8')) as Record<string, unknown>;
  const sh = net.nodes.get('310000')!;
  const latencies: number[] = [];
  const acceptLatencies: number[] = [];
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const id = `b${i.toString(16).padStart(7, '0')}-2222-4333-8444-${suite === 'sm' ? '5' : '6'}55555555555`;
      const t0 = performance.now();
      const r = await sh.client.call('POST', '/v1/packets', { ...sample, id, caseId: `310110-20261123-${String(i).padStart(6, '0')}` });
      if (r.status !== 202) throw new Error(`bench packet refused: ${JSON.stringify(r.json)}`);
      acceptLatencies.push(performance.now() - t0);
      for (let k = 0; k < 2000; k++) {
        const rec = await sh.node.ctx.store.get(id);
        if (rec?.status === 'delivered') break;
        await new Promise((res) => setTimeout(res, 2));
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  await net.close();
  rmSync(dir, { recursive: true, force: true });
  return [
    { name: `e2e ${suite}: packets delivered`, unit: 'packets/s', median: count / seconds, note: `${count} packets, ${CONCURRENCY} concurrent submitters` },
    { name: `e2e ${suite}: accept latency p50`, unit: 'ms', median: median(acceptLatencies) },
    { name: `e2e ${suite}: accept latency p99`, unit: 'ms', median: quantile(acceptLatencies, 0.99) },
    { name: `e2e ${suite}: delivered latency p50`, unit: 'ms', median: median(latencies) },
    { name: `e2e ${suite}: delivered latency p99`, unit: 'ms', median: quantile(latencies, 0.99) },
  ];
}

/** The limit for the network part: an mTLS echo server with the same certificates and concurrency. */
async function mtlsEcho(pkiDir: string, count: number): Promise<number> {
  const server = createServer(
    {
      cert: readFileSync(join(pkiDir, '330000', 'node-tls.crt')),
      key: readFileSync(join(pkiDir, '330000', 'node-tls.key')),
      ca: readFileSync(join(pkiDir, 'root-ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(Buffer.concat(chunks)));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const client = devApiClient(pkiDir, '310000', `https://127.0.0.1:${port}`);
  const body = readFileSync(join(PROJECT_ROOT, 'samples', 'newborn-application.yangtze.json'));
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) await client.call('POST', '/echo', body);
    }),
  );
  const rate = count / ((performance.now() - start) / 1000);
  client.close();
  await new Promise<void>((r) => server.close(() => r()));
  return rate;
}

/** End-to-end rows for both suites, with the same run's mTLS echo as the limit. */
export async function benchEndToEnd(redisUrl: string, count = 300): Promise<BenchRow[]> {
  const pkiDir = mkdtempSync(join(tmpdir(), 'tongban-bench-pki-'));
  try {
    await initDevPki({ outDir: pkiDir, members: ['310000', '330000'], systems: ['population', 'window'] });
    const echo = await mtlsEcho(pkiDir, count * 4);
    const rows: BenchRow[] = [{ name: 'limit: mTLS echo (same certs, same concurrency)', unit: 'req/s', median: echo }];
    for (const suite of ['intl', 'sm'] as const) {
      const r = await endToEnd(suite, pkiDir, redisUrl, count);
      r[0] = { ...r[0], limit: echo, ratio: r[0].median / echo };
      rows.push(...r);
    }
    return rows;
  } finally {
    rmSync(pkiDir, { recursive: true, force: true });
  }
}
