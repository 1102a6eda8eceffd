import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyedIdentity } from '../../src/crypto/index.js';
import { generateSm2KeyPair, issueSm2Certificate } from '../../src/crypto/sm/index.js';
import {
  drawSealPicture,
  makeSeal,
  SEAL_TYPE,
  type MakeSealOptions,
  type ResidentRegistrationData,
} from '../../src/seal/index.js';
import { makeLeaf, makeRoot, type TestIdentity } from '../crypto/intl/openssl-pki.js';

const DAY = 86_400_000;

/** The tests' clock (whole seconds): seals and certificates are valid around it. */
export const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

/** An SM2 identity issued by `issuer` (or self-signed CA when absent). */
export function smIdentity(
  commonName: string,
  issuer?: KeyedIdentity,
  validity: { notBefore: Date; notAfter: Date } = {
    notBefore: new Date(NOW.getTime() - 30 * DAY),
    notAfter: new Date(NOW.getTime() + 365 * DAY),
  },
): KeyedIdentity {
  const { publicKey, privateKey } = generateSm2KeyPair();
  const certDer = issueSm2Certificate({
    subject: { commonName, organization: 'Tongban Test' },
    ...validity,
    isCa: issuer === undefined,
    keyUsage:
      issuer === undefined
        ? ['keyCertSign', 'cRLSign', 'digitalSignature']
        : ['digitalSignature', 'nonRepudiation'],
    publicKey,
    ...(issuer ? { issuer } : { subjectPrivateKeyForSelfSigned: privateKey }),
  });
  return { certDer, privateKey };
}

/** The SM world of one 户籍地: a root, the seal maker, the unit signer, the 承办人, an outsider. */
export interface SmWorld {
  readonly root: KeyedIdentity;
  readonly maker: KeyedIdentity;
  readonly unitSigner: KeyedIdentity;
  readonly officer: KeyedIdentity;
  readonly outsider: KeyedIdentity;
  readonly picture: Buffer;
}

export function smWorld(): SmWorld {
  const root = smIdentity('Tongban Test SM2 Root');
  return {
    root,
    maker: smIdentity('520000 电子印章制章者', root),
    unitSigner: smIdentity('贵阳市公安局南明分局 单位签章', root),
    officer: smIdentity('520000 承办人 张警官', root),
    outsider: smIdentity('someone else', root),
    picture: drawSealPicture(),
  };
}

/** Options of the unit seal of `world`, adjustable per test. */
export function unitSealOptions(world: SmWorld, over: Partial<MakeSealOptions> = {}): MakeSealOptions {
  return {
    esID: '52010200000001',
    name: '贵阳市公安局南明分局户籍专用章',
    type: SEAL_TYPE.unit,
    picture: { type: 'png', data: world.picture, width: 40, height: 40 },
    validStart: new Date(NOW.getTime() - 10 * DAY),
    validEnd: new Date(NOW.getTime() + 365 * DAY),
    signerCerts: [world.unitSigner.certDer, world.officer.certDer],
    maker: world.maker,
    createDate: new Date(NOW.getTime() - 10 * DAY),
    ...over,
  };
}

export function unitSeal(world: SmWorld, over: Partial<MakeSealOptions> = {}): Buffer {
  return makeSeal(unitSealOptions(world, over));
}

/** The intl world: an openssl-made P-256 root, maker and signer (PEM files in a temp dir). */
export interface IntlWorld {
  readonly dir: string;
  readonly root: TestIdentity;
  readonly maker: TestIdentity;
  readonly signer: TestIdentity;
}

export function intlWorld(): IntlWorld {
  const dir = mkdtempSync(join(tmpdir(), 'seal-intl-'));
  const root = makeRoot(dir, 'seal-root');
  return {
    dir,
    root,
    maker: makeLeaf(dir, 'seal-maker', root, 'ec', 'digitalSignature,nonRepudiation'),
    signer: makeLeaf(dir, 'seal-signer', root, 'ec', 'digitalSignature,nonRepudiation'),
  };
}

/** The 常住人口登记表 data of the shared sample decision (newborn-decision.approved.json). */
export const REGISTRATION: ResidentRegistrationData = {
  name: '徐小雨',
  relationToHead: '女',
  sex: 'female',
  ethnicity: '汉族',
  birthDate: '2026-11-02',
  birthPlace: '上海市杨浦区',
  nativePlace: '浙江省杭州市',
  idNumber: '330102202611020028',
  address: '浙江省杭州市上城区湖滨街道东坡路1号',
  guardians: [
    { name: '徐明', relation: 'father' },
    { name: '王丽', relation: 'mother' },
  ],
  registeredOn: '2026-11-24',
  registrationReason: '出生登记（长三角跨省通办）',
  officer: '刘警官',
  householdNo: '330102001234',
  authority: '杭州市公安局上城区分局湖滨派出所',
};
