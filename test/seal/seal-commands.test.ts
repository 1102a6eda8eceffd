import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerSealCommands } from '../../src/cli/seal-commands.js';
import { createDevSeal, renderResidentRegistration, signDocument } from '../../src/seal/index.js';
import { NOW, REGISTRATION, smWorld } from './fixtures.js';

async function run(...args: string[]): Promise<{ out: string; exitCode: number }> {
  const program = new Command('tongban').exitOverride();
  registerSealCommands(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'tongban', ...args]);
  } finally {
    spy.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, exitCode };
}

describe('tongban seal verify | inspect', () => {
  const dir = mkdtempSync(join(tmpdir(), 'seal-cli-'));
  const world = smWorld();
  const dev = createDevSeal({
    member: '520000',
    maker: world.maker,
    signerCerts: [world.officer.certDer],
    now: new Date(NOW.getTime() - 60_000),
  });
  const pdf = renderResidentRegistration(REGISTRATION);
  const sig = signDocument(pdf, dev.seal, world.officer, {
    time: NOW,
    propertyInfo: 'resident-registration;application/pdf',
  });
  const p = (name: string): string => join(dir, name);
  writeFileSync(p('doc.pdf'), pdf);
  writeFileSync(p('sig.der'), sig);
  writeFileSync(p('sig.b64'), sig.toString('base64'));
  writeFileSync(p('seal.der'), dev.seal);
  writeFileSync(p('root.der'), world.root.certDer);
  writeFileSync(p('other-root.der'), smWorld().root.certDer);
  writeFileSync(p('changed.pdf'), Buffer.concat([pdf, Buffer.from('\n')]));

  afterEach(() => {
    process.exitCode = 0;
  });

  it('verifies a sealed document with a trusted maker CA (DER or base64 signature)', async () => {
    for (const s of ['sig.der', 'sig.b64']) {
      const r = await run('seal', 'verify', p('doc.pdf'), p(s), '--trust', p('root.der'));
      expect(r.exitCode).toBe(0);
      expect(r.out).toContain(
        'valid: 贵州省公安厅户籍专用章（开发用） (esID 52000001000001, unit seal 单位印章)',
      );
      expect(r.out).toContain('(trusted)');
    }
  });

  it('says when the maker was not checked', async () => {
    const r = await run('seal', 'verify', p('doc.pdf'), p('sig.der'));
    expect(r.exitCode).toBe(0);
    expect(r.out).toContain('note: the seal maker was not checked');
  });

  it('exits 1 with the reason and code when invalid', async () => {
    const changed = await run('seal', 'verify', p('changed.pdf'), p('sig.der'), '--trust', p('root.der'));
    expect(changed.exitCode).toBe(1);
    expect(changed.out).toMatch(/^invalid: document-digest \(GW_ERR_SEAL_DOCUMENT_DIGEST\): /);
    const untrusted = await run(
      'seal',
      'verify',
      p('doc.pdf'),
      p('sig.der'),
      '--trust',
      p('other-root.der'),
      '--json',
    );
    expect(untrusted.exitCode).toBe(1);
    expect(JSON.parse(untrusted.out)).toMatchObject({
      valid: false,
      reason: 'untrusted-maker',
      code: 'GW_ERR_SEAL_UNTRUSTED_MAKER',
    });
  });

  it('inspects a seal and a signature, and extracts the picture', async () => {
    const seal = await run('seal', 'inspect', p('seal.der'), '--picture', p('out.png'));
    expect(seal.out).toMatch(/format:\s+SESeal/);
    expect(seal.out).toMatch(/esID:\s+52000001000001/);
    expect(seal.out).toMatch(/picture:\s+png, \d+ bytes, 40×40 mm, 200×200 px, digest recorded by maker/);
    expect(seal.out).toContain('CN=520000 承办人 张警官');
    expect(readFileSync(p('out.png')).equals(dev.picture)).toBe(true);
    const signature = await run('seal', 'inspect', p('sig.der'), '--json');
    expect(JSON.parse(signature.out)).toMatchObject({
      format: 'SES_Signature',
      seal: { esID: '52000001000001', type: 1, makerSubject: 'O=Tongban Test, CN=520000 电子印章制章者' },
      signature: {
        signerSubject: 'O=Tongban Test, CN=520000 承办人 张警官',
        propertyInfo: 'resident-registration;application/pdf',
        hasTimeStamp: false,
      },
    });
  });

  it('refuses a file that is no seal with GW_ERR_SEAL_MALFORMED', async () => {
    await expect(run('seal', 'inspect', p('doc.pdf'))).rejects.toMatchObject({
      code: 'GW_ERR_SEAL_MALFORMED',
    });
  });
});
