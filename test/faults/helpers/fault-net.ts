import { spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { devApiClient, devNodeConfig, type ApiClient } from '../../../src/demo/index.js';
import { initDevPki } from '../../../src/pki/index.js';
import { freePort, startPrivateRedis, type RedisTarget } from '../../../src/queue/index.js';
import { buildForFaults } from './build.js';

type PrivateRedis = RedisTarget & { port: number; process: ChildProcess };

/** Sender and receiver of every fault scenario: 上海 → 浙江 under 长三角. */
export const SENDER = '310000';
export const RECEIVER = '330000';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Options of one gateway process. */
export interface NodeSpec {
  readonly label: string;
  readonly member: string;
  readonly instanceId?: string;
  /** Key prefix in the private Redis: instances of one node share it. */
  readonly prefix: string;
}

/** A gateway started as `node dist/src/cli/main.js start -c <config>`, so it can be killed with -9. */
export class NodeProcess {
  child?: ChildProcess;
  private log?: WriteStream;
  starts = 0;

  constructor(
    readonly label: string,
    readonly member: string,
    readonly configPath: string,
    readonly logPath: string,
    readonly ports: { api: number; peer: number },
    private readonly mainJs: string,
  ) {}

  get apiUrl(): string {
    return `https://127.0.0.1:${this.ports.api}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Start and wait (bounded) for the "tongban <member> … api …" line the CLI prints once listening. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.running) throw new Error(`${this.label} is already running`);
    this.starts += 1;
    this.log ??= createWriteStream(this.logPath, { flags: 'a' });
    this.log.write(`\n=== start #${this.starts} at ${new Date().toISOString()} ===\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: process.env.FAULT_LOG_LEVEL ?? 'warn' };
    delete env.REDIS_URL; // the config names the private Redis
    const child = spawn(process.execPath, [this.mainJs, 'start', '-c', this.configPath], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.label} did not start within ${timeoutMs} ms; see ${this.logPath}`)),
        timeoutMs,
      );
      child.stdout!.on('data', (c: Buffer) => {
        this.log?.write(c);
        out += c.toString('utf8');
        if (/^tongban \d{6} .* api https:/m.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (c: Buffer) => this.log?.write(c));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.log?.write(`=== exit code=${code} signal=${signal} ===\n`);
        reject(
          new Error(
            `${this.label} exited (code ${code}, signal ${signal}) before listening; see ${this.logPath}`,
          ),
        );
      });
    });
    await ready;
  }

  /** Send a signal and wait (bounded) for the process to go. SIGKILL is the crash case. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = sleep(timeoutMs).then(() => 'timeout' as const);
    if ((await Promise.race([gone, timer])) === 'timeout') {
      child.kill('SIGKILL');
      await gone;
    }
  }

  /** Stop for good (test teardown). */
  async close(): Promise<void> {
    await this.kill('SIGKILL');
    await new Promise<void>((r) => (this.log ? this.log.end(() => r()) : r()));
    this.log = undefined;
  }
}

/** The `retry` section written into every node's config. */
export interface FaultRetry {
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly jitter?: number;
  readonly requestTimeoutMs?: number;
  readonly takeoverMs?: number;
  readonly breaker?: {
    readonly failures?: number;
    readonly coolDownMs?: number;
    readonly maxCoolDownMs?: number;
  };
}

/**
 * Retry settings of the fault tests: production shapes, shorter clocks. A dead instance's
 * deliveries are taken over after 2–6 s instead of 30–90 s; a peer's breaker opens after five
 * failures and probes every 0.5–2 s, so a returning peer is noticed within two seconds.
 */
export const FAULT_RETRY: FaultRetry = {
  attempts: 30,
  backoffMs: 200,
  jitter: 0.2,
  requestTimeoutMs: 5000,
  takeoverMs: 2000,
  breaker: { failures: 5, coolDownMs: 500, maxCoolDownMs: 2000 },
};

/** Options of a fault network. */
export interface FaultNetOptions {
  readonly name: string;
  /** Default {@link FAULT_RETRY}. */
  readonly retry?: FaultRetry;
  /** Extra instances of the sender (same config but instanceId and ports, same prefix). */
  readonly senderInstances?: number;
}

/**
 * Two gateways (上海 sender, 浙江 receiver) as separate processes on loopback, sharing one
 * private redis-server with AOF on a free port (different key prefixes, as two provinces'
 * gateways would use different Redis servers; one server keeps the machine load low and lets
 * a Redis restart hit both sides at once). Everything lives under a temp folder.
 */
export class FaultNet {
  readonly senders: NodeProcess[] = [];
  /** Every packet id any scenario on this network submitted (so an inbox entry from nowhere shows). */
  readonly everSent = new Set<string>();
  receiver!: NodeProcess;
  redis!: PrivateRedis;
  private admin?: Redis;
  private clients: ApiClient[] = [];

  private constructor(
    readonly opts: FaultNetOptions,
    readonly dir: string,
    readonly pkiDir: string,
  ) {}

  static async create(opts: FaultNetOptions): Promise<FaultNet> {
    const mainJs = await buildForFaults();
    const dir = mkdtempSync(join(tmpdir(), `tongban-fault-${opts.name}-`));
    const pkiDir = join(dir, 'pki');
    await initDevPki({ outDir: pkiDir, members: [SENDER, RECEIVER], systems: ['population', 'window'] });
    const net = new FaultNet(opts, dir, pkiDir);
    net.redis = await startPrivateRedis(join(dir, 'redis'));
    const configDir = join(dir, 'config');
    mkdirSync(configDir, { recursive: true });
    const peerPorts = { [SENDER]: await freePort(), [RECEIVER]: await freePort() };
    const write = (
      member: string,
      file: string,
      ports: { api: number; peer: number },
      instanceId: string,
    ): string => {
      const other = member === SENDER ? RECEIVER : SENDER;
      const raw = devNodeConfig({
        pkiDir,
        configDir,
        member,
        ports,
        dataDir: join(dir, 'data', member),
        instanceId,
        peers: [{ member: other, peerUrl: `https://127.0.0.1:${peerPorts[other]}`, suite: 'sm' }],
        redis: { url: net.redis.url, prefix: `fault:${member}` },
        retry: (opts.retry ?? FAULT_RETRY) as Parameters<typeof devNodeConfig>[0]['retry'],
      });
      const path = join(configDir, file);
      writeFileSync(path, stringify(raw));
      return path;
    };
    const instances = 1 + (opts.senderInstances ?? 0);
    for (let i = 1; i <= instances; i++) {
      // The first instance owns the port the receiver knows; a load balancer would sit in
      // front of the API ports, and the receiver answers on the connection it was called on.
      const ports = { api: await freePort(), peer: i === 1 ? peerPorts[SENDER] : await freePort() };
      const label = instances === 1 ? 'sender' : `sender-i${i}`;
      const cfg = write(SENDER, `${SENDER}-i${i}.yaml`, ports, `i${i}`);
      net.senders.push(new NodeProcess(label, SENDER, cfg, join(dir, `${label}.log`), ports, mainJs));
    }
    const rports = { api: await freePort(), peer: peerPorts[RECEIVER] };
    net.receiver = new NodeProcess(
      'receiver',
      RECEIVER,
      write(RECEIVER, `${RECEIVER}.yaml`, rports, 'i1'),
      join(dir, 'receiver.log'),
      rports,
      mainJs,
    );
    return net;
  }

  /** Start every process (receiver first, so the first deliveries find it). */
  async startAll(): Promise<void> {
    await this.receiver.start();
    for (const s of this.senders) await s.start();
  }

  /** An API client of the local system `population` at a node process. */
  client(node: NodeProcess): ApiClient {
    const c = devApiClient(this.pkiDir, node.member, node.apiUrl);
    this.clients.push(c);
    return c;
  }

  /** A Redis client for the test's own reads (not the nodes'). */
  redisClient(): Redis {
    if (!this.admin) {
      this.admin = new Redis(this.redis.url, {
        maxRetriesPerRequest: 3,
        retryStrategy: (n) => Math.min(n * 100, 1000),
      });
      this.admin.on('error', () => undefined);
    }
    return this.admin;
  }

  /**
   * Restart Redis on the same port and folder. `SIGTERM` is an orderly restart (Redis writes
   * the AOF out and exits); `SIGKILL` is a crash, which loses nothing acknowledged only when
   * `appendfsync always` was in force (set it first with {@link setAppendFsync}).
   */
  async restartRedis(signal: 'SIGTERM' | 'SIGKILL', downMs: number): Promise<void> {
    const child = this.redis.process;
    const gone = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    child.kill(signal);
    await Promise.race([gone, sleep(15_000)]);
    await sleep(downMs);
    this.redis = await startPrivateRedis(join(this.dir, 'redis'), this.redis.port);
  }

  /** `CONFIG SET appendfsync …` on the running Redis (not kept across a restart). */
  async setAppendFsync(mode: 'always' | 'everysec'): Promise<void> {
    await this.redisClient().config('SET', 'appendfsync', mode);
  }

  /** Ids in the receiver's inbox for `population` (what the local system would pull). */
  async receiverInbox(): Promise<string[]> {
    return this.redisClient().zrange(`fault:${RECEIVER}:inbox:population`, '0', '-1');
  }

  /** Status of the sender's record of a packet. */
  async senderStatus(id: string): Promise<string | null> {
    return this.redisClient().hget(`fault:${SENDER}:pkt:${id}`, 'status');
  }

  /** Statuses of many sender records, in one round trip. */
  async senderStatuses(ids: readonly string[]): Promise<Array<string | null>> {
    const p = this.redisClient().pipeline();
    for (const id of ids) p.hget(`fault:${SENDER}:pkt:${id}`, 'status');
    const res = (await p.exec()) ?? [];
    return res.map(([, v]) => (typeof v === 'string' ? v : null));
  }

  /** Exchange-log events of a node, counted per packet id (all instances' chains). */
  logEvents(member: string, event: string): Map<string, number> {
    return this.countLog(member, event, (e) => e.packetId);
  }

  /** Exchange-log events of a node, counted per instance. */
  logEventsByInstance(member: string, event: string): Map<string, number> {
    return this.countLog(member, event, (e) => e.instance);
  }

  private countLog(
    member: string,
    event: string,
    key: (e: { packetId?: string; instance?: string }) => string | undefined,
  ): Map<string, number> {
    const dir = join(this.dir, 'data', member, 'audit');
    const counts = new Map<string, number>();
    if (!existsSync(dir)) return counts;
    for (const f of readdirSync(dir).filter((n) => /^exchange-.*\.jsonl$/.test(n))) {
      for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
        if (!line) continue;
        let e: { event?: string; packetId?: string; instance?: string };
        try {
          e = JSON.parse(line) as { event?: string; packetId?: string; instance?: string };
        } catch {
          continue; // a line torn by kill -9 (the log itself names it on restart)
        }
        const k = e.event === event ? key(e) : undefined;
        if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Stop everything and remove the folder (unless FAULT_KEEP=1, to read the logs). */
  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    await Promise.allSettled([...this.senders, this.receiver].filter(Boolean).map((n) => n.close()));
    this.admin?.disconnect();
    await this.redis?.stop();
    if (process.env.FAULT_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}
