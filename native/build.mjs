// Builds the SM2 addon (binding.gyp) during `npm install` / `npm ci`.
//
// Why a script instead of npm's implicit `node-gyp rebuild`: that default downloads Node's
// headers from nodejs.org, which fails on offline build hosts although the headers (including
// Node's OpenSSL headers) are usually installed next to the node binary. We point node-gyp at
// them when present. A failed build never fails the install: src/crypto/sm falls back to its
// pure-JS SM2, and `sm2BackendName()` tells which backend is active.
//
// TONGBAN_SM_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function log(line) {
  process.stderr.write(`${line}\n`);
}

function findNodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const candidates = [
    join(
      dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => existsSync(c));
}

function localNodeDir() {
  const prefix = resolve(dirname(process.execPath), '..');
  const inc = join(prefix, 'include', 'node');
  const ok = ['node_api.h', 'common.gypi', join('openssl', 'evp.h')].every((f) => existsSync(join(inc, f)));
  return ok ? prefix : undefined;
}

function main() {
  if (process.env.TONGBAN_SM_NATIVE === '0') {
    log('[tongban-sm] TONGBAN_SM_NATIVE=0: skipping the native SM2 addon (pure-JS fallback)');
    return;
  }
  const gyp = findNodeGyp();
  if (!gyp) {
    log('[tongban-sm] node-gyp not found: using the pure-JS SM2 fallback');
    return;
  }
  const args = [gyp, 'rebuild'];
  const nodedir = localNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    log('[tongban-sm] native SM2 addon did not build: using the pure-JS fallback (slower)');
  }
}

main();
