import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig, SealConfig } from '../../src/config/index.js';
import { isGatewayError } from '../../src/errors.js';
import { loadSealMaterial, sealSigners } from '../../src/node/seal-material.js';
import { initDevPki, loadCertDer, type DevPkiLayout } from '../../src/pki/index.js';
import { drawSealPicture } from '../../src/seal/index.js';

let dir: string;
let pki: DevPkiLayout;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seal-material-'));
  pki = await initDevPki({ outDir: join(dir, 'pki'), members: ['520000'], systems: ['population'] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The development seal entry, as `devNodeConfig` writes it, with absolute paths. */
function entry(over: Partial<SealConfig> = {}): SealConfig {
  const m = pki.members['520000']!;
  return {
    esID: m.seal.esID,
    name: m.seal.name,
    type: 'unit',
    file: m.seal.der,
    picture: m.seal.png,
    signers: [
      { role: 'unit', ...m.smSigning },
      { role: 'officer', ...m.smSealSigner },
      { role: 'unit', ...m.intlSigning },
      { role: 'officer', ...m.intlSealSigner },
    ],
    ...over,
  };
}

const config = (registry: SealConfig[]): GatewayConfig =>
  ({ seals: { trustedMakers: [pki.smRootCa.cert], registry } }) as unknown as GatewayConfig;

function problemPath(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err, 'GW_ERR_CONFIG_INVALID')) return err.details[0]?.path;
    throw err;
  }
  return undefined;
}

describe('seal material (config seals → loaded, checked seals)', () => {
  it('loads the development seal and picks the unit and 承办人 signers per suite', () => {
    const material = loadSealMaterial(config([entry()]))!;
    expect(material.trustedMakers).toEqual([loadCertDer(pki.smRootCa.cert)]);
    expect(material.seals[0]!.signers.map((s) => [s.role, s.suite])).toEqual([
      ['unit', 'sm'],
      ['officer', 'sm'],
      ['unit', 'intl'],
      ['officer', 'intl'],
    ]);
    const m = pki.members['520000']!;
    const sm = sealSigners(material, 'sm');
    expect(sm.unit.signer.certDer.equals(loadCertDer(m.smSigning.cert))).toBe(true);
    expect(sm.officer?.signer.certDer.equals(loadCertDer(m.smSealSigner.cert))).toBe(true);
    const intl = sealSigners(material, 'intl');
    expect(intl.officer?.signer.certDer.equals(loadCertDer(m.intlSealSigner.cert))).toBe(true);
    expect(loadSealMaterial({} as GatewayConfig)).toBeUndefined();
  });

  it('refuses a seal file that is not the configured seal', () => {
    expect(problemPath(() => loadSealMaterial(config([entry({ esID: '52000001000002' })])))).toBe(
      '/seals/registry/0/esID',
    );
    expect(problemPath(() => loadSealMaterial(config([entry({ name: '别的章' })])))).toBe(
      '/seals/registry/0/name',
    );
    expect(problemPath(() => loadSealMaterial(config([entry({ type: 'personal' })])))).toBe(
      '/seals/registry/0/type',
    );
    const other = join(dir, 'other.png');
    writeFileSync(other, drawSealPicture({ size: 64 }));
    expect(problemPath(() => loadSealMaterial(config([entry({ picture: other })])))).toBe(
      '/seals/registry/0/picture',
    );
    expect(
      problemPath(() => loadSealMaterial(config([entry({ file: pki.members['520000']!.seal.png })]))),
    ).toBe('/seals/registry/0/file');
  });

  it('refuses a signer the seal does not list', () => {
    const outsider = pki.members['520000']!.systems.population!;
    const bad = entry({ signers: [...entry().signers, { role: 'officer', ...outsider }] });
    expect(problemPath(() => loadSealMaterial(config([bad])))).toBe('/seals/registry/0/signers/4');
  });

  it('says GW_ERR_SEAL_NOT_CONFIGURED when no seal can be applied in a suite', () => {
    const smOnly = loadSealMaterial(config([entry({ signers: entry().signers.slice(0, 2) })]));
    expect(() => sealSigners(smOnly, 'intl')).toThrow(
      expect.objectContaining({ code: 'GW_ERR_SEAL_NOT_CONFIGURED' }),
    );
    expect(() => sealSigners(undefined, 'sm')).toThrow(
      expect.objectContaining({ code: 'GW_ERR_SEAL_NOT_CONFIGURED' }),
    );
  });
});
