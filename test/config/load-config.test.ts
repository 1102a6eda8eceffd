import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkConfigFile, loadConfig } from '../../src/config/index.js';
import { devNodeConfig } from '../../src/demo/dev-config.js';
import { isGatewayError } from '../../src/errors.js';

describe('config loading', () => {
  let dir: string;
  const write = (name: string, obj: unknown): string => {
    const f = join(dir, 'config', name);
    writeFileSync(f, typeof obj === 'string' ? obj : stringify(obj));
    return f;
  };
  const base = () =>
    devNodeConfig({
      pkiDir: join(dir, 'pki'),
      configDir: join(dir, 'config'),
      member: '520000',
      ports: { api: 8520, peer: 9520, admin: 7520 },
      dataDir: join(dir, 'data'),
      peers: [{ member: '500000', peerUrl: 'https://127.0.0.1:9500', suite: 'sm' }],
    });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-config-'));
    mkdirSync(join(dir, 'config'));
    // The loader checks that files exist; their content is read later by the node.
    for (const m of ['520000', '500000']) {
      mkdirSync(join(dir, 'pki', m), { recursive: true });
      for (const f of ['node-tls', 'sm-signing', 'sm-encryption', 'intl-signing', 'intl-encryption', 'sm-seal-signer', 'intl-seal-signer', 'system-population', 'system-window']) {
        writeFileSync(join(dir, 'pki', m, `${f}.crt`), '');
        writeFileSync(join(dir, 'pki', m, `${f}.key`), '');
      }
      for (const f of ['seal-unit.der', 'seal-unit.png']) writeFileSync(join(dir, 'pki', m, f), '');
    }
    writeFileSync(join(dir, 'pki', 'root-ca.crt'), '');
    writeFileSync(join(dir, 'pki', 'sm-root-ca.crt'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a valid file, applies defaults, resolves paths and freezes the result', () => {
    const c = loadConfig(write('ok.yaml', base()));
    expect(c.node.member).toBe('520000');
    expect(c.node.instanceId).toBe('i1');
    expect(c.retry).toMatchObject({ attempts: 12, backoffMs: 2000 });
    expect(c.redis.prefix).toBe('tongban:520000');
    expect(c.tls.ca[0]).toBe(join(dir, 'pki', 'root-ca.crt'));
    expect(Object.isFrozen(c.peers[0])).toBe(true);
    // The development seal registry, paths resolved.
    expect(c.seals?.trustedMakers).toEqual([join(dir, 'pki', 'sm-root-ca.crt')]);
    expect(c.seals?.registry[0]).toMatchObject({ esID: '52000001000001', type: 'unit', file: join(dir, 'pki', '520000', 'seal-unit.der') });
    expect(c.seals?.registry[0]?.signers.map((s) => [s.role, s.cert])).toContainEqual(['officer', join(dir, 'pki', '520000', 'sm-seal-signer.crt')]);
  });

  it('names a missing seal file and an unknown seal type', () => {
    const cfg = base() as { seals: { registry: Array<Record<string, unknown>> } };
    cfg.seals.registry[0] = { ...cfg.seals.registry[0], file: 'nowhere.der' };
    const missing = checkConfigFile(write('seal-missing.yaml', cfg));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems.map((p) => p.path)).toEqual(['/seals/registry/0/file']);
    cfg.seals.registry[0] = { ...cfg.seals.registry[0], type: 'round' };
    const bad = checkConfigFile(write('seal-type.yaml', cfg));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.path)).toContain('/seals/registry/0/type');
  });

  it('names file, line, path and expectation for each problem', () => {
    const text = stringify(base()).replace('member: "520000"', 'member: "52000"').replace('  dataDir:', '  colour: red\n  dataDir:');
    const r = checkConfigFile(write('bad.yaml', text));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.problems.map((p) => [p.path + '|' + p.message, p]));
    const member = Object.values(byPath).find((p) => p.path === '/node/member');
    expect(member?.message).toMatch(/matching/);
    expect(member?.line).toBe(text.split('\n').findIndex((l) => l.includes('52000')) + 1);
    expect(Object.values(byPath).some((p) => p.path === '/node' && p.message.includes('"colour"'))).toBe(true);
    expect(r.problems.every((p) => p.file.endsWith('bad.yaml'))).toBe(true);
  });

  it('cross-checks what the schema cannot: peer suite certificates, agreements, files', () => {
    const c = base() as { peers: Array<Record<string, unknown>>; agreements: Array<Record<string, unknown>>; tls: Record<string, unknown> };
    c.peers[0].certs = { intl: (c.peers[0].certs as Record<string, unknown>).intl };
    c.agreements[0].members = ['510000', '500000'];
    c.tls.cert = 'missing.crt';
    const r = checkConfigFile(write('cross.yaml', c));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/peers/0/certs', '/agreements/0/members', '/tls/cert']));
  });

  it('throws GW_ERR_CONFIG_INVALID from loadConfig', () => {
    const f = write('empty.yaml', 'node: {}\n');
    try {
      loadConfig(f);
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, 'GW_ERR_CONFIG_INVALID')).toBe(true);
    }
  });
});
