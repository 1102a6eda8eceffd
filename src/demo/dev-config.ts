import { join, relative } from 'node:path';
import type { SuiteName } from '../crypto/index.js';
import { devSealIdentity } from '../seal/index.js';

/** Names used for the development network. */
export const MEMBER_NAMES: Readonly<Record<string, string>> = {
  '520000': '贵州省公安厅',
  '510000': '四川省公安厅',
  '500000': '重庆市公安局',
  '310000': '上海市公安局',
  '320000': '江苏省公安厅',
  '330000': '浙江省公安厅',
  '340000': '安徽省公安厅',
  '420000': '湖北省公安厅',
  '450000': '广西壮族自治区公安厅',
};

/** Materials every development policy asks for: 出生医学证明, 户口簿, 结婚证 (承诺书 as a signed flag). */
const DEV_MATERIALS = ['birth-certificate', 'household-register', 'marriage-certificate'];
const DEV_RULES = {
  requiredAttachments: DEV_MATERIALS,
  marriageCertificateRequired: true,
  parentHukouInReceivingMember: true,
  householdFollowsParent: true,
  parentIdNumbersValid: true,
  commitmentRequired: true,
};

/**
 * The agreements of DESIGN §2 with development policies: 川渝黔 and 省内通办 limit the newborn's
 * age to one year; 长三角 sets no age limit here (fill it in from the agreement's notice).
 */
export const DEV_AGREEMENTS = [
  { id: 'chuan-yu-qian', name: '川渝黔', members: ['510000', '500000', '520000'], policy: { version: 'dev-cyq-1', newbornMaxAgeMonths: 12, ...DEV_RULES } },
  { id: 'yangtze-delta', name: '长三角', members: ['310000', '320000', '330000', '340000'], policy: { version: 'dev-yrd-1', ...DEV_RULES } },
] as const;

/** Development policy of 省内通办 (贵州省内通办: not over one year). */
const DEV_INTRA_POLICY = { version: 'dev-intra-1', newbornMaxAgeMonths: 12, ...DEV_RULES };

const ALL_TYPES = ['newborn.application', 'newborn.decision', 'newborn.completion', 'birth-certificate.check'];

/** Local systems the development PKI makes client certificates for. */
export const DEV_SYSTEMS = ['population', 'window'] as const;

/** Ports of a node, by member: 8xxx API, 9xxx peer, 7xxx admin, xxx from the province code. */
export function defaultPorts(member: string): { api: number; peer: number; admin: number } {
  const n = Number(member.slice(0, 2));
  return { api: 8000 + n * 10, peer: 9000 + n * 10, admin: 7000 + n * 10 };
}

/** How to reach a peer in a generated config. */
export interface DevPeer {
  readonly member: string;
  readonly peerUrl: string;
  /** Suite for packets sent to it. */
  readonly suite: SuiteName;
}

/** Inputs of a generated node config. */
export interface DevNodeConfigInput {
  /** Folder made by `tongban certs init`. */
  readonly pkiDir: string;
  /** Folder the config file will live in; paths are written relative to it. */
  readonly configDir: string;
  readonly member: string;
  readonly ports: { api: number; peer: number; admin?: number };
  readonly peers: readonly DevPeer[];
  readonly dataDir: string;
  readonly defaultSuite?: SuiteName;
  readonly redis?: { url?: string; prefix?: string };
  readonly retry?: { attempts?: number; backoffMs?: number; jitter?: number };
  readonly instanceId?: string;
  /** Delivery of the population system; default pull. */
  readonly delivery?: { mode: 'pull' } | { mode: 'push'; url: string };
}

/**
 * The `seals` section for a member's development seal (`tongban certs init`): the unit seal,
 * applied by the node's signing keys (unit) and the 承办人 keys (officer) of both suites, and
 * the SM2 development root trusted as the seal makers' CA.
 */
function devSeals(rel: (...p: string[]) => string, m: string): Record<string, unknown> {
  const signer = (role: 'unit' | 'officer', name: string) => ({ role, cert: rel(m, `${name}.crt`), key: rel(m, `${name}.key`) });
  return {
    // Development makers are SM2 certificates under the SM2 root (also for intl partners: the
    // seal inside a CMS signature may be SM2-made). A production list names the makers' CAs.
    trustedMakers: [rel('sm-root-ca.crt')],
    registry: [
      {
        ...devSealIdentity(m),
        type: 'unit',
        file: rel(m, 'seal-unit.der'),
        picture: rel(m, 'seal-unit.png'),
        signers: [signer('unit', 'sm-signing'), signer('officer', 'sm-seal-signer'), signer('unit', 'intl-signing'), signer('officer', 'intl-seal-signer')],
      },
    ],
  };
}

/**
 * A node config as an object (written as YAML by the demo and `config/examples/`): the node's
 * own keys from the development PKI, one local system `population`, pinned peers, and the
 * agreements its member belongs to plus 省内通办.
 */
export function devNodeConfig(input: DevNodeConfigInput): Record<string, unknown> {
  const rel = (...p: string[]): string => relative(input.configDir, join(input.pkiDir, ...p)) || '.';
  const m = input.member;
  const keyPair = (name: string) => ({ cert: rel(m, `${name}.crt`), key: rel(m, `${name}.key`) });
  const agreements: Array<Record<string, unknown>> = DEV_AGREEMENTS.filter((a) => (a.members as readonly string[]).includes(m)).map(
    (a) => ({ id: a.id, name: a.name, members: [...a.members], types: [...ALL_TYPES], policy: a.policy }),
  );
  agreements.push({ id: 'intra-province', name: '省内通办', members: [m], types: [...ALL_TYPES], intra: true, policy: DEV_INTRA_POLICY });
  return {
    node: {
      member: m,
      name: `${MEMBER_NAMES[m] ?? m}通办网关`,
      ...(input.instanceId ? { instanceId: input.instanceId } : {}),
      dataDir: relative(input.configDir, input.dataDir) || '.',
    },
    listen: {
      api: { host: '127.0.0.1', port: input.ports.api },
      peer: { host: '127.0.0.1', port: input.ports.peer },
      ...(input.ports.admin !== undefined ? { admin: { host: '127.0.0.1', port: input.ports.admin } } : {}),
    },
    tls: { ca: rel('root-ca.crt'), cert: rel(m, 'node-tls.crt'), key: rel(m, 'node-tls.key') },
    crypto: {
      defaultSuite: input.defaultSuite ?? 'sm',
      suites: {
        sm: { signing: keyPair('sm-signing'), encryption: keyPair('sm-encryption') },
        intl: { signing: keyPair('intl-signing'), encryption: keyPair('intl-encryption') },
      },
    },
    systems: [
      {
        id: 'population',
        name: `${MEMBER_NAMES[m] ?? m}人口管理信息系统`,
        cert: rel(m, 'system-population.crt'),
        allowedTypes: [...ALL_TYPES],
        offices: [m.slice(0, 2)],
        delivery: input.delivery ?? { mode: 'pull' },
      },
      {
        // A station window system (派出所窗口): may only submit applications.
        id: 'window',
        name: '派出所综合窗口系统',
        cert: rel(m, 'system-window.crt'),
        allowedTypes: ['newborn.application'],
        offices: [m.slice(0, 2)],
        delivery: { mode: 'pull' },
      },
    ],
    peers: input.peers.map((p) => ({
      member: p.member,
      name: MEMBER_NAMES[p.member] ?? p.member,
      url: p.peerUrl,
      tlsCert: rel(p.member, 'node-tls.crt'),
      suite: p.suite,
      certs: {
        sm: { signing: rel(p.member, 'sm-signing.crt'), encryption: rel(p.member, 'sm-encryption.crt') },
        intl: { signing: rel(p.member, 'intl-signing.crt'), encryption: rel(p.member, 'intl-encryption.crt') },
      },
    })),
    agreements,
    seals: devSeals(rel, m),
    ...(input.retry ? { retry: input.retry } : {}),
    ...(input.redis ? { redis: input.redis } : {}),
  };
}
