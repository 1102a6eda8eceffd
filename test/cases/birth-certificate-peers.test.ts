import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrail } from '../../src/audit/index.js';
import { BirthCertificateRegistry } from '../../src/cases/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';

/**
 * 公安部: a 出生医学证明 number must be unused and not blacklisted anywhere before registration.
 * A number known only in 浙江 must be known in 上海 when 上海's window asks, under 长三角, and
 * the other way round; with the sm suite one way and intl the other.
 */
describe('birth-certificate.check between the gateways of an agreement', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zj: DevNode;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-bc-peers-'));
    prefix = testPrefix('bc-peers');
    net = await startDevNetwork({
      dir,
      members: ['310000', '330000'],
      redisUrl: REDIS_URL,
      prefix,
      suiteFor: (from) => (from === '310000' ? 'sm' : 'intl'),
    });
    sh = net.nodes.get('310000')!;
    zj = net.nodes.get('330000')!;
    const zjRegistry = new BirthCertificateRegistry(zj.node.redis, zj.node.config.redis.prefix);
    await zjRegistry.importBlacklist([{ number: 'Q330000042', reason: 'lost-reported', reportedBy: '330000', reportedOn: '2026-11-01' }]);
    const shRegistry = new BirthCertificateRegistry(sh.node.redis, sh.node.config.redis.prefix);
    await shRegistry.importBlacklist([{ number: 'Q310000077', reason: 'forgery-suspected', reportedBy: '310000', reportedOn: '2026-11-02' }]);
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const check = (node: DevNode, certificateNo: string) => node.client.call('POST', '/v1/birth-certificates/check', { certificateNo });

  it("finds a number blacklisted only in the other member's registry, from either side", async () => {
    const fromSh = await check(sh, 'Q330000042');
    expect(fromSh.status).toBe(200);
    expect(fromSh.json).toMatchObject({ certificateNo: 'Q330000042', status: 'blacklisted', reason: 'lost-reported', source: '330000' });
    expect(fromSh.json.peers).toEqual([{ member: '330000', certificateNo: 'Q330000042', status: 'blacklisted', reason: 'lost-reported' }]);
    const fromZj = await check(zj, 'Q310000077');
    expect(fromZj.json).toMatchObject({ status: 'blacklisted', source: '310000' });
  });

  it('answers unused only when every peer says so, and logs the question on both sides', async () => {
    const r = await check(sh, 'Q310123999');
    expect(r.json).toMatchObject({ status: 'unused', source: '310000' });
    expect(r.json.peers).toEqual([{ member: '330000', certificateNo: 'Q310123999', status: 'unused' }]);
    const shTrail = await readTrail(sh.node.config.audit.dir, {});
    const zjTrail = await readTrail(zj.node.config.audit.dir, {});
    expect(shTrail.some((e) => e.event === 'sent' && e.detail?.query === 'birth-certificate' && e.detail?.status === 'unused')).toBe(true);
    expect(zjTrail.some((e) => e.event === 'received' && e.detail?.query === 'birth-certificate' && e.actor === 'peer:310000')).toBe(true);
    // A question is not delivered to anyone.
    const inbox = await zj.client.call('GET', '/v1/inbox');
    expect((inbox.json.items as Array<{ type: string }>).some((i) => i.type === 'birth-certificate.check')).toBe(false);
  });

  it('says which peer could not answer instead of pretending the number is unused there', async () => {
    await zj.node.close();
    const r = await check(sh, 'Q310123998');
    expect(r.json.status).toBe('unused');
    expect(r.json.peers).toEqual([{ member: '330000', error: 'GW_ERR_DELIVERY_UNREACHABLE' }]);
  });
});
