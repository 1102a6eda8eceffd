import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RevocationChecker } from '../api/index.js';
import type { ExchangeLog } from '../audit/index.js';
import { checkConfigFile, type ConfigProblem, type GatewayConfig } from '../config/index.js';
import { GatewayError, isGatewayError } from '../errors.js';
import { DeliveryQueues, type QueueHandlers } from '../queue/index.js';
import type { LiveConfig } from './live-config.js';

/** Outcome of a reload. */
export interface ReloadResult {
  readonly ok: boolean;
  readonly message: string;
  readonly problems?: readonly ConfigProblem[];
}

/** What a reload touches. */
export interface ReloadDeps {
  readonly live: LiveConfig;
  readonly queues: DeliveryQueues;
  readonly handlers: QueueHandlers & { reset(): void };
  /** Servers whose TLS context follows `tls` (API and peer ports; connections stay open). */
  readonly servers: readonly FastifyInstance[];
  readonly revocation: RevocationChecker;
  readonly exchangeLog: ExchangeLog;
  readonly logger: Logger;
}

/**
 * Sections only a restart applies: identity and storage of the node (its member, instance,
 * data and audit folders, Redis and key prefix), the listening sockets, the chain hash (from the
 * default suite) and the limits Fastify fixes when a server is built.
 */
function restartOnly(c: GatewayConfig): Record<string, unknown> {
  return {
    node: c.node,
    listen: c.listen,
    redis: c.redis,
    audit: c.audit,
    defaultSuite: c.crypto.defaultSuite,
    bodyBytes: c.limits.bodyBytes,
    requestTimeoutMs: c.limits.requestTimeoutMs,
  };
}

/** Queues this config wants workers for. */
export function workerQueues(c: GatewayConfig): Map<string, 'peer' | 'system'> {
  const out = new Map<string, 'peer' | 'system'>();
  for (const p of c.peers) out.set(DeliveryQueues.peerQueueName(p.member), 'peer');
  for (const s of c.systems)
    if (s.delivery.mode === 'push') out.set(DeliveryQueues.systemQueueName(s.id), 'system');
  return out;
}

/**
 * Re-read the node's config file and switch to it without dropping connections or packets:
 * validate first (an invalid file leaves the node on its old config and says why), build the new
 * keys, router and CRLs, then swap them in one step, start or stop peer workers (a removed peer's
 * jobs stay queued), and give the servers the new TLS context for new connections.
 */
export async function reloadConfig(d: ReloadDeps, actor: string): Promise<ReloadResult> {
  const file = d.live.config.source;
  const result = await attempt(d, file);
  d.live.lastReload = { at: new Date().toISOString(), ok: result.ok, message: result.message };
  if (result.ok) d.logger.info({ file }, result.message);
  else d.logger.error({ file, problems: result.problems }, `config reload refused: ${result.message}`);
  await d.exchangeLog
    .record({
      event: 'admin',
      actor,
      outcome: result.ok ? 'ok' : 'error',
      code: result.ok
        ? undefined
        : result.problems
          ? 'GW_ERR_CONFIG_INVALID'
          : 'GW_ERR_CONFIG_RELOAD_REFUSED',
      detail: { action: 'reload', message: result.message.slice(0, 300) },
    })
    .catch(() => undefined);
  return result;
}

async function attempt(d: ReloadDeps, file: string): Promise<ReloadResult> {
  if (file === '<memory>')
    return { ok: false, message: 'this node was built from an in-memory config; there is no file to reload' };
  const check = checkConfigFile(file);
  if (!check.ok) {
    return {
      ok: false,
      message: `${check.problems.length} problem(s) in ${file}; keeping the running config`,
      problems: check.problems,
    };
  }
  const next = check.config;
  const old = d.live.config;
  const before = restartOnly(old);
  const after = restartOnly(next);
  const fixed = Object.keys(before).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (fixed.length > 0)
    return { ok: false, message: `changes need a restart (${fixed.join(', ')}); keeping the running config` };
  let prepared: ReturnType<LiveConfig['prepare']>;
  try {
    prepared = d.live.prepare(next);
    await d.revocation.setFiles(next.tls.crl, prepared.material.tls.ca);
  } catch (err) {
    const message = isGatewayError(err) ? err.message : (err as Error).message;
    return {
      ok: false,
      message: `cannot load what the new config names (${message}); keeping the running config`,
    };
  }
  d.live.commit(prepared);

  const want = workerQueues(next);
  for (const name of d.queues.workerQueues()) if (!want.has(name)) await d.queues.stopWorker(name);
  for (const [name, kind] of want) d.queues.startWorker(name, kind, d.handlers);
  // Outbound clients hold the old TLS identity and pins: new ones are made on next use.
  d.handlers.reset();
  const tls = prepared.material.tls;
  if (JSON.stringify(old.tls) !== JSON.stringify(next.tls)) {
    for (const s of d.servers)
      (s.server as unknown as TlsServer).setSecureContext({
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        minVersion: 'TLSv1.2',
      });
  }
  return {
    ok: true,
    message: `config reloaded from ${file} (${next.peers.length} peers, ${next.systems.length} systems, ${next.agreements.length} agreements)`,
  };
}

/** Thrown by callers that need a reload to have worked. */
export function reloadError(r: ReloadResult): GatewayError {
  return new GatewayError(
    r.problems ? 'GW_ERR_CONFIG_INVALID' : 'GW_ERR_CONFIG_RELOAD_REFUSED',
    r.message,
    (r.problems ?? []).map((p) => ({ ...p })),
  );
}
