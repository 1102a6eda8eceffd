import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// No types are published for this parser; its shape is declared below where it is used.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { samplePacket } from '../helpers/sample-packet.js';
import { waitFor } from '../helpers/wait.js';

interface Sample {
  value?: string;
  count?: string;
  sum?: string;
  buckets?: Record<string, string>;
  labels?: Record<string, string>;
}
interface Family {
  name: string;
  type: string;
  metrics: Sample[];
}
const parse = parsePrometheusTextFormat as unknown as (text: string) => Family[];

async function scrape(node: DevNode): Promise<Family[] & { text: string }> {
  const res = await fetch(`${node.urls.admin}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return Object.assign(parse(text), { text });
}

/**
 * Count of a histogram series. The parser keeps histogram buckets but drops their labels, count
 * and sum when `le` is not the last label (prom-client puts it first), so the count is read from
 * the `_count` line of the same, already parsed, text.
 */
function histogramCount(m: { text: string }, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const line = m.text.split('\n').find((l) => l.startsWith(`${name}_count{${want}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Value of one series (counter, gauge) or count of a histogram; 0 when absent. */
function value(families: Family[], name: string, labels: Record<string, string> = {}): number {
  const f = families.find((x) => x.name === name);
  const s = f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!s) return 0;
  return Number(s.value ?? s.count ?? 0);
}

describe('/metrics, /readyz and /healthz on the admin port', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zj: DevNode;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-metrics-'));
    prefix = testPrefix('metrics');
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix });
    sh = net.nodes.get('310000')!;
    zj = net.nodes.get('330000')!;
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses as Prometheus text format, and its counters move when packets flow', async () => {
    const before = await scrape(sh);
    const zjBefore = await scrape(zj);
    const accepted = { type: 'newborn.application' };
    const packets = [1, 2, 3].map((n) => samplePacket('m', n));
    for (const p of packets) expect((await sh.client.call('POST', '/v1/packets', p)).status).toBe(202);
    // One refusal: a father's ID number with a wrong check digit.
    const bad = samplePacket('m', 9);
    (bad.payload as { father: { idNumber: string } }).father.idNumber = '330102199203150014';
    const refused = await sh.client.call('POST', '/v1/packets', bad);
    expect(refused.status).toBe(422);
    const code = refused.json.code as string;
    for (const p of packets) {
      await waitFor(async () =>
        (await sh.client.call('GET', `/v1/packets/${p.id}`)).json.status === 'delivered' ? true : undefined,
      );
    }

    const after = await scrape(sh);
    expect(
      value(after, 'tongban_packets_accepted_total', accepted) -
        value(before, 'tongban_packets_accepted_total', accepted),
    ).toBe(3);
    expect(
      value(after, 'tongban_packets_refused_total', { port: 'api', code, type: 'newborn.application' }),
    ).toBe(1);
    expect(
      value(after, 'tongban_deliveries_total', { queue: 'out-330000' }) -
        value(before, 'tongban_deliveries_total', { queue: 'out-330000' }),
    ).toBe(3);
    expect(
      histogramCount(after, 'tongban_accept_latency_seconds', accepted) -
        histogramCount(before, 'tongban_accept_latency_seconds', accepted),
    ).toBe(3);
    expect(histogramCount(after, 'tongban_delivery_latency_seconds', { queue: 'out-330000' })).toBe(3);
    expect(
      Number(after.find((f) => f.name === 'tongban_delivery_latency_seconds')!.metrics[0]!.buckets!['+Inf']),
    ).toBe(3);
    const zjAfter = await scrape(zj);
    const received = { type: 'newborn.application', peer: '310000' };
    expect(
      value(zjAfter, 'tongban_packets_received_total', received) -
        value(zjBefore, 'tongban_packets_received_total', received),
    ).toBe(3);

    // Gauges: queues, certificates, the exchange log, the overdue-cases placeholder.
    const types = Object.fromEntries(after.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      tongban_queue_jobs: 'GAUGE',
      tongban_queue_oldest_age_seconds: 'GAUGE',
      tongban_certificate_days_to_expiry: 'GAUGE',
      tongban_cases_overdue: 'GAUGE',
      tongban_dead_letters_total: 'COUNTER',
      tongban_delivery_retries_total: 'COUNTER',
      tongban_accept_latency_seconds: 'HISTOGRAM',
    });
    expect(value(after, 'tongban_queue_jobs', { queue: 'out-330000', state: 'waiting' })).toBe(0);
    expect(value(after, 'tongban_exchange_log_healthy')).toBe(1);
    const certs = after
      .find((f) => f.name === 'tongban_certificate_days_to_expiry')!
      .metrics.map((m) => m.labels!.cert);
    expect(certs).toEqual(
      expect.arrayContaining([
        'tls',
        'ca:0',
        'sm.signing',
        'sm.encryption',
        'intl.signing',
        'peer:330000:tls',
        'peer:330000:sm.signing',
        'system:population',
      ]),
    );
    for (const m of after.find((f) => f.name === 'tongban_certificate_days_to_expiry')!.metrics)
      expect(Number(m.value)).toBeGreaterThan(30);
  });

  it('counts queue depth and the oldest undelivered packet while a peer is down', async () => {
    await zj.node.close();
    const p = samplePacket('m', 20);
    expect((await sh.client.call('POST', '/v1/packets', p)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1200));
    const m = await scrape(sh);
    const pending = ['waiting', 'delayed', 'active'].reduce(
      (n, state) => n + value(m, 'tongban_queue_jobs', { queue: 'out-330000', state }),
      0,
    );
    expect(pending).toBe(1);
    expect(value(m, 'tongban_queue_oldest_age_seconds', { queue: 'out-330000' })).toBeGreaterThanOrEqual(1);
    expect(
      value(m, 'tongban_delivery_retries_total', {
        queue: 'out-330000',
        code: 'GW_ERR_DELIVERY_UNREACHABLE',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('answers /healthz and /readyz with the checks, peers as a detail', async () => {
    expect(await (await fetch(`${sh.urls.admin}/healthz`)).json()).toEqual({ status: 'ok' });
    const res = await fetch(`${sh.urls.admin}/readyz`);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, boolean>;
      details: { peers: Record<string, unknown> };
    };
    // The peer is down (previous test) and the node is still ready.
    expect(res.status).toBe(200);
    expect(body.checks).toEqual({ redis: true, config: true, exchangeLog: true, certificates: true });
    expect(body.details.peers).toHaveProperty('330000');
  });

  it('warns ahead of time about certificates that expire within tls.expiryWarningDays', async () => {
    const before = (await (await fetch(`${sh.urls.admin}/readyz`)).json()) as {
      details: { expiringCertificates: string[] };
    };
    expect(before.details.expiringCertificates).toEqual([]);
    // The development certificates live a few years: a warning window of a century covers them all.
    const raw = parseYaml(readFileSync(sh.configPath, 'utf8')) as { tls: Record<string, unknown> };
    raw.tls.expiryWarningDays = 36500;
    writeFileSync(sh.configPath, stringify(raw));
    expect((await sh.node.reload('admin:test')).ok).toBe(true);
    const res = await fetch(`${sh.urls.admin}/readyz`);
    const after = (await res.json()) as {
      details: { expiringCertificates: string[]; expiredCertificates: string[] };
    };
    expect(res.status).toBe(200); // expiring is a warning, not a refusal
    expect(after.details.expiringCertificates).toEqual(
      expect.arrayContaining(['tls', 'sm.signing', 'peer:330000:tls']),
    );
    expect(after.details.expiredCertificates).toEqual([]);
  });
});
