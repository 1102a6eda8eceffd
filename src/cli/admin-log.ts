import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateNodeSecret, openExchangeLog, type ExchangeLog } from '../audit/index.js';
import type { GatewayConfig } from '../config/index.js';
import { createSuiteRegistry } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { loadIdentity } from '../pki/index.js';

/** Instance id of the chain that administrators' CLI actions are written to. */
export const ADMIN_INSTANCE = 'admin';

const LOCK_WAIT_MS = 15_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per chain: CLI runs are serialized by a lock file holding the pid; a lock left by
 * a process that no longer exists is taken over.
 */
async function takeLock(file: string): Promise<() => void> {
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
        unlinkSync(file);
        continue;
      }
      if (Date.now() > until)
        throw new GatewayError(
          'GW_ERR_AUDIT_UNAVAILABLE',
          `another admin command (pid ${pid}) holds ${file}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Open the administrators' own chain in the node's audit folder (instance id `admin`).
 *
 * Why a chain of its own: the running node owns the chain of its instance id and appends to it
 * from memory (sequence and head hash), so a second writer on that file would fork the chain.
 * The audit format is one chain per instance, verified and merged by `tongban audit verify` and
 * `audit trail`, so the CLI's entries sit beside the node's, signed with the node's signing key
 * and keyed-hashed with the node's secret, durable before the command reports success, and
 * written whether or not the node is running. A lock file keeps concurrent CLI runs in line.
 */
export async function openAdminLog(config: GatewayConfig): Promise<ExchangeLog> {
  mkdirSync(config.audit.dir, { recursive: true });
  const release = await takeLock(join(config.audit.dir, `${ADMIN_INSTANCE}.lock`));
  try {
    const suiteName = config.crypto.defaultSuite;
    const keys = config.crypto.suites[suiteName]!.signing;
    const signer = loadIdentity(keys.cert, keys.key);
    const suite = createSuiteRegistry()(suiteName);
    const log = await openExchangeLog({
      dir: config.audit.dir,
      member: config.node.member,
      instanceId: ADMIN_INSTANCE,
      hash: suiteName === 'sm' ? 'sm3' : 'sha256',
      secret: loadOrCreateNodeSecret(config.audit.secretFile),
      checkpoint: {
        signer: (data: Buffer) => suite.sign(data, signer),
        certDer: signer.certDer,
        suite: suiteName,
        everyEntries: 1000,
        everyMs: 0,
      },
    });
    const wrapped: ExchangeLog = {
      get healthy() {
        return log.healthy;
      },
      get head() {
        return log.head;
      },
      get stats() {
        return log.stats;
      },
      record: (e) => log.record(e),
      checkpoint: () => log.checkpoint(),
      close: () => log.close().finally(release),
    };
    return wrapped;
  } catch (err) {
    release();
    throw err;
  }
}
