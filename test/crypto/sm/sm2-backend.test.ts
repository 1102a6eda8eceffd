import { afterEach, describe, expect, it } from 'vitest';
import { generateSm2KeyPair, getSm2, nativeSm2Status, sm2BackendName } from '../../../src/crypto/sm/index.js';
import { BACKENDS } from './helpers.js';

describe('SM2 backend selection', () => {
  const saved = process.env['TONGBAN_SM2_BACKEND'];
  afterEach(() => {
    if (saved === undefined) delete process.env['TONGBAN_SM2_BACKEND'];
    else process.env['TONGBAN_SM2_BACKEND'] = saved;
  });

  it('reports the addon as built (npm ci builds it) unless the build was skipped', () => {
    const status = nativeSm2Status();
    expect(status.available, status.error).toBe(BACKENDS.includes('native'));
  });

  it('auto selects native when available; TONGBAN_SM2_BACKEND=js forces the fallback', () => {
    delete process.env['TONGBAN_SM2_BACKEND'];
    expect(sm2BackendName()).toBe(BACKENDS.includes('native') ? 'native' : 'js');
    expect(getSm2().backend).toBe(sm2BackendName());
    process.env['TONGBAN_SM2_BACKEND'] = 'js';
    expect(sm2BackendName()).toBe('js');
    expect(getSm2('auto').backend).toBe('js');
  });

  it('async entry points agree with sync ones under concurrency', async () => {
    for (const backend of BACKENDS) {
      const sm2 = getSm2(backend);
      const keys = generateSm2KeyPair();
      const messages = Array.from({ length: 16 }, (_, i) => Buffer.from(`message ${i}`));
      const sigs = await Promise.all(messages.map((m) => sm2.signAsync(m, keys.privateKey)));
      await Promise.all(messages.map((m, i) => sm2.verifyAsync(m, sigs[i]!, keys.publicKey)));
      const cts = await Promise.all(messages.map((m) => sm2.encryptAsync(m, keys.publicKey)));
      const pts = await Promise.all(cts.map((c) => sm2.decryptAsync(c, keys.privateKey)));
      pts.forEach((p, i) => expect(p.equals(messages[i]!)).toBe(true));
      messages.forEach((m, i) => expect(() => sm2.verify(m, sigs[i]!, keys.publicKey)).not.toThrow());
    }
  });
});
