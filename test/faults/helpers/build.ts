import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (test/faults/helpers → ../../..). */
export const REPO = resolve(import.meta.dirname, '../../..');

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) h.update(p).update(readFileSync(p));
    }
  };
  walk(join(REPO, 'src'));
  h.update(readFileSync(join(REPO, 'tsconfig.json')));
  return h.digest('hex').slice(0, 16);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Remove builds of older sources (finished more than an hour ago), so temp space stays bounded. */
function pruneOldBuilds(keep: string): void {
  const parent = join(keep, '..');
  for (const name of readdirSync(parent)) {
    const dir = join(parent, name);
    const built = statSync(join(dir, 'BUILT'), { throwIfNoEntry: false });
    if (dir !== keep && built && Date.now() - built.mtimeMs > 3_600_000) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compile the gateway once for the fault tests and return the path of the CLI entry point.
 *
 * Why a private output folder instead of `dist/`: other people build into `dist/` while these
 * tests run, and a node process started from a half-rewritten `dist/` fails for reasons that
 * have nothing to do with faults. The output lives in a temp folder named by a hash of `src/`,
 * next to symlinks to package.json, schemas/, build/ (the SM addon) and node_modules/, so the
 * compiled code finds its package root the same way it does from `dist/`. Test files running
 * in parallel share one build through a lock directory; every wait is bounded.
 */
export async function buildForFaults(timeoutMs = 180_000): Promise<string> {
  const root = join(tmpdir(), 'tongban-fault-build', sourceHash());
  const main = join(root, 'dist', 'src', 'cli', 'main.js');
  const done = join(root, 'BUILT');
  if (existsSync(done)) return main;
  mkdirSync(join(root, '..'), { recursive: true });
  const lock = `${root}.lock`;
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(done)) return main;
      // A lock older than the timeout belongs to a build that died; take it over.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > timeoutMs) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > until) throw new Error(`fault build: gave up waiting for ${lock}`);
      await sleep(500);
    }
  }
  try {
    if (existsSync(done)) return main;
    mkdirSync(root, { recursive: true });
    for (const name of ['package.json', 'schemas', 'build', 'node_modules', 'samples']) {
      const link = join(root, name);
      if (!existsSync(link) && existsSync(join(REPO, name))) symlinkSync(join(REPO, name), link);
    }
    // Type errors in someone's half-done file elsewhere must not stop the build: tsc still
    // emits, and a broken module shows up as a node that does not start.
    await run(
      process.execPath,
      [
        join(REPO, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(REPO, 'tsconfig.json'),
        '--outDir',
        join(root, 'dist'),
      ],
      {
        cwd: REPO,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((err: { stdout?: string }) => {
      if (!existsSync(main))
        throw new Error(`fault build failed: ${String(err.stdout ?? err).slice(0, 2000)}`);
    });
    writeFileSync(done, new Date().toISOString());
    pruneOldBuilds(root);
    return main;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
