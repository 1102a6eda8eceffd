import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { loadConfig } from '../config/index.js';
import type { SuiteName } from '../crypto/index.js';
import { createNode, type GatewayNode } from '../node/index.js';
import { createMtlsClient, type MtlsClient } from '../peer/index.js';
import { initDevPki } from '../pki/index.js';
import { freePort } from '../queue/index.js';
import { DEV_AGREEMENTS, DEV_SYSTEMS, devNodeConfig } from './dev-config.js';

/** A local system's view of its gateway's API: an mTLS client with the system's certificate. */
export interface ApiClient {
  readonly baseUrl: string;
  /** POST/GET and parse the JSON answer. */
  call(method: 'GET' | 'POST', path: string, body?: Buffer | object, contentType?: string): Promise<{ status: number; json: Record<string, unknown> }>;
  close(): void;
}

/** One running node of the development network. */
export interface DevNode {
  readonly member: string;
  readonly node: GatewayNode;
  readonly configPath: string;
  readonly urls: { api: string; peer: string; admin?: string };
  readonly client: ApiClient;
}

/** Options of a development network. */
export interface DevNetworkOptions {
  /** Working folder: PKI under pki/, configs under config/, data under data/. */
  readonly dir: string;
  readonly members: readonly string[];
  readonly redisUrl: string;
  /** Key prefix base; each node gets `<base>:<member>`. */
  readonly prefix: string;
  /** Suite used from `from` to `to`; default sm. */
  readonly suiteFor?: (from: string, to: string) => SuiteName;
  readonly retry?: { attempts?: number; backoffMs?: number; jitter?: number };
  readonly logger?: Logger;
  /** Reuse a PKI folder made earlier (tests share one to save key generation). */
  readonly pkiDir?: string;
}

/** Build an API client for a system certificate of the development PKI. */
export function devApiClient(pkiDir: string, member: string, baseUrl: string, system = 'population'): ApiClient {
  const client: MtlsClient = createMtlsClient({
    ca: [readFileSync(join(pkiDir, 'root-ca.crt'), 'utf8')],
    cert: readFileSync(join(pkiDir, member, `system-${system}.crt`), 'utf8'),
    key: readFileSync(join(pkiDir, member, `system-${system}.key`), 'utf8'),
  });
  return {
    baseUrl,
    async call(method, path, body, contentType) {
      const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      const answer = await client.request(method, baseUrl + path, bytes, contentType ?? (bytes ? 'application/json' : undefined));
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        json = { raw: answer.body.toString('utf8') };
      }
      return { status: answer.status, json };
    },
    close: () => client.close(),
  };
}

/**
 * Start gateway nodes for several members in this process, each with its own config file,
 * data folder and key prefix, peered along the agreements of DESIGN §2. Used by `tongban demo`
 * and by the end-to-end tests, so both exercise the same real path (TLS, Redis, BullMQ).
 */
export async function startDevNetwork(opts: DevNetworkOptions): Promise<{ nodes: Map<string, DevNode>; pkiDir: string; close(): Promise<void> }> {
  const pkiDir = opts.pkiDir ?? join(opts.dir, 'pki');
  if (!existsSync(join(pkiDir, 'root-ca.crt'))) await initDevPki({ outDir: pkiDir, members: [...opts.members], systems: [...DEV_SYSTEMS] });
  const configDir = join(opts.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const ports = new Map<string, { api: number; peer: number; admin: number }>();
  for (const m of opts.members) ports.set(m, { api: await freePort(), peer: await freePort(), admin: await freePort() });

  const partners = (m: string): string[] =>
    opts.members.filter((o) => o !== m && DEV_AGREEMENTS.some((a) => (a.members as readonly string[]).includes(m) && (a.members as readonly string[]).includes(o)));

  const nodes = new Map<string, DevNode>();
  try {
    for (const m of opts.members) {
      const raw = devNodeConfig({
        pkiDir,
        configDir,
        member: m,
        ports: ports.get(m)!,
        dataDir: join(opts.dir, 'data', m),
        peers: partners(m).map((p) => ({ member: p, peerUrl: `https://127.0.0.1:${ports.get(p)!.peer}`, suite: opts.suiteFor?.(m, p) ?? 'sm' })),
        redis: { url: opts.redisUrl, prefix: `${opts.prefix}:${m}` },
        retry: opts.retry,
      });
      const configPath = join(configDir, `${m}.yaml`);
      writeFileSync(configPath, stringify(raw));
      const node = await createNode(loadConfig(configPath), { logger: opts.logger?.child({ member: m }) });
      const urls = await node.listen();
      nodes.set(m, { member: m, node, configPath, urls, client: devApiClient(pkiDir, m, urls.api) });
    }
  } catch (err) {
    await Promise.allSettled([...nodes.values()].map((n) => n.node.close()));
    throw err;
  }
  return {
    nodes,
    pkiDir,
    async close() {
      for (const n of nodes.values()) n.client.close();
      await Promise.allSettled([...nodes.values()].map((n) => n.node.close()));
    },
  };
}
