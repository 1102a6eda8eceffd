import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevNetwork } from '../../src/demo/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const SAMPLES = join(import.meta.dirname, '../../samples');

describe('川渝黔: GBK XML from an older system crosses as the same packet', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-xml-'));
    prefix = testPrefix('xml');
    net = await startDevNetwork({ dir, members: ['500000', '520000'], redisUrl: REDIS_URL, prefix });
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the GBK sample and delivers it to 贵州 as typed JSON', async () => {
    const cq = net.nodes.get('500000')!;
    const gz = net.nodes.get('520000')!;
    const res = await cq.client.call('POST', '/v1/packets', readFileSync(join(SAMPLES, 'newborn-application.chuan-yu-qian.gbk.xml')), 'application/xml');
    expect(res.status).toBe(202);
    expect(res.json.id).toBe('b3f1e0c2-5a4d-4e2b-8f3a-9d1c7e6b5a40');
    const item = await waitFor(async () => {
      const r = await gz.client.call('GET', '/v1/inbox');
      return (r.json.items as Array<{ id: string; packet: Record<string, unknown> }>).find((i) => i.id === res.json.id);
    });
    const p = item.packet as {
      agreement: string;
      payload: { newborn: { name: string; birthCertificateNo: string }; mother: { name: string }; acceptance: { commitmentSigned: unknown }; household: { follows: string } };
      attachments: Array<{ kind: string; name: string }>;
    };
    expect(p.agreement).toBe('chuan-yu-qian');
    expect(p.payload.newborn).toMatchObject({ name: '陈一鸣', birthCertificateNo: 'R500987654' });
    expect(p.payload.mother.name).toBe('李娜');
    expect(p.payload.household.follows).toBe('mother');
    expect(p.payload.acceptance.commitmentSigned).toBe(true);
    expect(p.attachments.map((a) => a.kind)).toEqual(['birth-certificate', 'household-register', 'marriage-certificate']);
    expect(p.attachments[1].name).toBe('户口簿.pdf');
  });
});
