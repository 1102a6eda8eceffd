import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { ExchangeLog } from '../audit/index.js';
import { loadConfig, type GatewayConfig } from '../config/index.js';
import { GatewayError } from '../errors.js';
import {
  connectRedis,
  DeliveryQueues,
  LISTABLE_STATES,
  locateRedis,
  PacketStore,
  QueueAdmin,
  waitReady,
  type ListableState,
  type QueuedPacket,
} from '../queue/index.js';
import { openAdminLog } from './admin-log.js';

/** Who an audited action is recorded as: `admin:<os user>` unless `--actor` says otherwise. */
export function adminActor(actor?: string): string {
  if (actor) return actor.startsWith('admin:') ? actor : `admin:${actor}`;
  let user = process.env.SUDO_USER ?? '';
  try {
    user ||= userInfo().username;
  } catch {
    user ||= 'unknown';
  }
  return `admin:${user}`;
}

/** Every queue of a node: peers' `out-<member>` and push systems' `push-<id>`. */
function queueNames(config: GatewayConfig): string[] {
  return [
    ...config.peers.map((p) => DeliveryQueues.peerQueueName(p.member)),
    ...config.systems
      .filter((s) => s.delivery.mode === 'push')
      .map((s) => DeliveryQueues.systemQueueName(s.id)),
  ];
}

/** An administrator's connection to a node's queues (and, for actions, its audit chain). */
export interface QueueSession {
  readonly config: GatewayConfig;
  readonly admin: QueueAdmin;
  close(): Promise<void>;
}

/** Open a node's queues from its config; with `actor`, retries and drops are audited as that actor. */
export async function openQueueSession(configFile: string, actor?: string): Promise<QueueSession> {
  const config = loadConfig(configFile);
  const url = await locateRedis(config.redis.url, config.node.dataDir);
  if (!url)
    throw new GatewayError(
      'GW_ERR_STORE_UNAVAILABLE',
      'no Redis answers for this node (config redis.url, REDIS_URL, 127.0.0.1:6379, or the private server of a running node)',
    );
  const redis = connectRedis(url, { forWorker: true, name: `tongban-${config.node.member}-admin` });
  redis.on('error', () => undefined);
  let log: ExchangeLog | undefined;
  try {
    await waitReady(redis, 5000);
    if (actor) log = await openAdminLog(config);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const queues = new DeliveryQueues(redis, `${config.redis.prefix}:bull`, config.retry);
  const store = new PacketStore(redis, config.redis.prefix);
  const admin = new QueueAdmin({
    queues,
    store,
    queueNames: () => queueNames(config),
    audit: async (a) => {
      if (!log)
        throw new GatewayError('GW_ERR_AUDIT_UNAVAILABLE', 'this session was opened without an actor');
      await log.record({
        event: 'admin',
        packetId: a.packetId,
        actor: actor!,
        outcome: a.outcome,
        code: a.code,
        detail: {
          action: a.action,
          ...(a.queue ? { queue: a.queue } : {}),
          ...(a.reason ? { reason: a.reason.slice(0, 200) } : {}),
        },
      });
    },
  });
  return {
    config,
    admin,
    async close() {
      await queues.close();
      await log?.close();
      redis.disconnect();
    },
  };
}

const age = (ms: number): string => {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
};

function table(rows: readonly QueuedPacket[]): string {
  const lines = rows.map((r) => [
    r.packetId,
    r.queue,
    r.state,
    `${r.attempts}/${r.maxAttempts}`,
    age(r.ageMs),
    (r.lastError ?? '').slice(0, 80),
  ]);
  const head = ['PACKET', 'QUEUE', 'STATE', 'ATTEMPTS', 'AGE', 'LAST ERROR'];
  const width = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [head, ...lines]
    .map((l) =>
      l
        .map((c, i) => c.padEnd(width[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function withSession<T>(
  configFile: string,
  actor: string | undefined,
  run: (s: QueueSession) => Promise<T>,
): Promise<T> {
  const s = await openQueueSession(configFile, actor);
  try {
    return await run(s);
  } finally {
    await s.close();
  }
}

const out = (s: string): void => void process.stdout.write(s + '\n');

/** `tongban queue ls|show|retry|drop`: dead letters and queues for administrators. */
export function registerQueueCommands(program: Command): void {
  const queue = program
    .command('queue')
    .description('delivery queues and dead letters (each retry and drop is audited)');

  queue
    .command('ls')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .option('--peer <member>', "only this peer's queue")
    .option('--system <id>', "only this push system's queue")
    .option('--state <state>', `one of ${LISTABLE_STATES.join('|')} (default: all but completed)`)
    .option('--limit <n>', 'at most this many rows', '200')
    .option('--json', 'print JSON')
    .description('list queued, delayed, active and dead-lettered packets, oldest first')
    .action(
      async (o: {
        config: string;
        peer?: string;
        system?: string;
        state?: string;
        limit: string;
        json?: boolean;
      }) => {
        if (o.state && !(LISTABLE_STATES as readonly string[]).includes(o.state)) {
          throw new GatewayError(
            'GW_ERR_CONFIG_INVALID',
            `--state must be one of ${LISTABLE_STATES.join(', ')}`,
          );
        }
        const name = o.peer
          ? DeliveryQueues.peerQueueName(o.peer)
          : o.system
            ? DeliveryQueues.systemQueueName(o.system)
            : undefined;
        const rows = await withSession(o.config, undefined, (s) =>
          s.admin.list({
            queue: name,
            states: o.state ? [o.state as ListableState] : undefined,
            limit: Math.max(1, Number(o.limit) || 200),
          }),
        );
        out(o.json ? JSON.stringify(rows, null, 2) : rows.length ? table(rows) : '(no packets)');
      },
    );

  queue
    .command('show')
    .argument('<packetId>')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .description("a packet's job (state, attempts, last error) and its status history")
    .action(async (id: string, o: { config: string }) => {
      const v = await withSession(o.config, undefined, (s) => s.admin.show(id));
      out(JSON.stringify(v, null, 2));
    });

  queue
    .command('retry')
    .argument('[packetId]')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .option('--all', 'every dead letter of the queue given by --peer or --system')
    .option('--peer <member>')
    .option('--system <id>')
    .option('--actor <name>', 'who does this, for the audit (default: admin:<os user>)')
    .description("put a dead letter (or all of a queue's) back in its queue with fresh attempts")
    .action(
      async (
        id: string | undefined,
        o: { config: string; all?: boolean; peer?: string; system?: string; actor?: string },
      ) => {
        const actor = adminActor(o.actor);
        if (o.all) {
          const name = o.peer
            ? DeliveryQueues.peerQueueName(o.peer)
            : o.system
              ? DeliveryQueues.systemQueueName(o.system)
              : undefined;
          if (!name || id)
            throw new GatewayError(
              'GW_ERR_CONFIG_INVALID',
              'use either <packetId> or --all with --peer <member> | --system <id>',
            );
          const ids = await withSession(o.config, actor, (s) => s.admin.retryAll(name));
          out(`${ids.length} packet(s) of ${name} put back in the queue`);
          return;
        }
        if (!id)
          throw new GatewayError('GW_ERR_CONFIG_INVALID', 'give a packet id, or --all with --peer <member>');
        const r = await withSession(o.config, actor, (s) => s.admin.retry(id));
        out(`${id} put back in ${r.queue}`);
      },
    );

  queue
    .command('drop')
    .argument('<packetId>')
    .requiredOption('-c, --config <file>', 'node config (YAML)')
    .requiredOption('--reason <text>', 'why (kept in the packet history and the audit)')
    .option('--actor <name>', 'who does this, for the audit (default: admin:<os user>)')
    .description('remove a packet from its queue for good (status dropped)')
    .action(async (id: string, o: { config: string; reason: string; actor?: string }) => {
      const r = await withSession(o.config, adminActor(o.actor), (s) => s.admin.drop(id, o.reason));
      out(`${id} dropped${r.queue ? ` from ${r.queue}` : ''}`);
    });
}
