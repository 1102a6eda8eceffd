import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { createNode, type GatewayNode } from '../../src/node/index.js';
import { send } from '../corpus/corpus-context.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { faultPackets } from './helpers/stream.js';

/**
 * The receiver stores an incoming packet (claim) and then puts it in the local system's inbox.
 * A kill -9 between the two leaves a record that says "delivered" and an empty inbox. Timing a
 * real kill into that gap is luck, so this test puts Redis into exactly the state such a crash
 * leaves, then plays what happens next: the sender, which never got its receipt, sends the same
 * envelope again; and, separately, the receiver restarts.
 */
describe('fault: receiver killed between storing a packet and putting it in the inbox', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zj: DevNode;
  let restarted: GatewayNode | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-crash-window-'));
    prefix = testPrefix('crash-window');
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix });
    sh = net.nodes.get('310000')!;
    zj = net.nodes.get('330000')!;
  });
  afterAll(async () => {
    await restarted?.close();
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Deliver a packet normally, then rewind the receiver to the state a crash after `claim` leaves. */
  const deliverThenRewind = async (p: Record<string, unknown>): Promise<string> => {
    const id = p.id as string;
    expect((await sh.client.call('POST', '/v1/packets', p)).status).toBe(202);
    await waitFor(async () => ((await sh.node.ctx.store.get(id))?.status === 'delivered' ? true : undefined));
    const prefixZj = zj.node.config.redis.prefix;
    await zj.node.redis
      .multi()
      .zrem(`${prefixZj}:inbox:population`, id)
      .hset(`${prefixZj}:pkt:${id}`, 'status', 'delivered')
      .sadd(`${prefixZj}:pending`, id)
      .exec();
    expect(await zj.node.ctx.store.inbox('population', 1000)).not.toContain(id);
    return id;
  };

  it("the sender's resend of the same envelope completes the delivery", async () => {
    const [p] = faultPackets(1);
    const id = await deliverThenRewind(p!);
    const rec = await sh.node.ctx.store.get(id);
    const answer = await send(
      `${zj.urls.peer}/v1/peer/packets`,
      readFileSync(join(net.pkiDir, 'root-ca.crt')),
      {
        cert: readFileSync(join(net.pkiDir, '310000', 'node-tls.crt')),
        key: readFileSync(join(net.pkiDir, '310000', 'node-tls.key')),
      },
      'POST',
      Buffer.from(rec!.envelope!, 'utf8'),
      'application/json',
    );
    expect(answer.status).toBe(200);
    expect(await zj.node.ctx.store.inbox('population', 1000)).toContain(id);
    expect((await zj.node.ctx.store.get(id))?.status).toBe('inbox');
  });

  it('a restart of the receiver completes the delivery from the pending set', async () => {
    const [p] = faultPackets(1);
    const id = await deliverThenRewind(p!);
    await zj.node.close();
    restarted = await createNode(loadConfig(zj.configPath));
    await restarted.listen();
    expect(await restarted.ctx.store.inbox('population', 1000)).toContain(id);
    expect(await restarted.ctx.store.pending()).not.toContain(id);
  });
});
