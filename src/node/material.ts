import { readFileSync } from 'node:fs';
import type { KeyedIdentity, SuiteName } from '../crypto/index.js';
import type { GatewayConfig, PeerConfig, SystemConfig } from '../config/index.js';
import { certFingerprint, loadCertDer, loadIdentity } from '../pki/index.js';
import { loadSealMaterial, type SealMaterial } from './seal-material.js';

/** A peer's pinned certificates, loaded. */
export interface PeerMaterial {
  readonly config: PeerConfig;
  readonly tlsFingerprint: string;
  readonly tlsCertDer: Buffer;
  readonly certs: Partial<Record<SuiteName, { readonly signing: Buffer; readonly encryption: Buffer }>>;
}

/** Keys and certificates a node works with, loaded once from the files its config names. */
export interface NodeMaterial {
  readonly tls: { readonly ca: string[]; readonly cert: string; readonly key: string };
  readonly suites: Partial<Record<SuiteName, { readonly signing: KeyedIdentity; readonly encryption: KeyedIdentity }>>;
  /** Peers by member code and by TLS certificate fingerprint. */
  readonly peersByMember: ReadonlyMap<string, PeerMaterial>;
  readonly peersByTlsFingerprint: ReadonlyMap<string, PeerMaterial>;
  /** Local systems by client-certificate fingerprint. */
  readonly systemsByFingerprint: ReadonlyMap<string, SystemConfig>;
  /** Electronic seals (config `seals`), checked against their files; absent without that section. */
  readonly seals?: SealMaterial;
}

/** Load every key and certificate named in the config. Fails fast on unreadable material. */
export function loadNodeMaterial(config: GatewayConfig): NodeMaterial {
  const suites: NodeMaterial['suites'] = {};
  for (const [name, s] of Object.entries(config.crypto.suites)) {
    (suites as Record<string, unknown>)[name] = {
      signing: loadIdentity(s.signing.cert, s.signing.key),
      encryption: loadIdentity(s.encryption.cert, s.encryption.key),
    };
  }
  const peers = config.peers.map((p): PeerMaterial => {
    const tlsCertDer = loadCertDer(p.tlsCert);
    const certs: Record<string, { signing: Buffer; encryption: Buffer }> = {};
    for (const [name, c] of Object.entries(p.certs)) {
      certs[name] = { signing: loadCertDer(c.signing), encryption: loadCertDer(c.encryption) };
    }
    return { config: p, tlsCertDer, tlsFingerprint: certFingerprint(tlsCertDer), certs };
  });
  return {
    tls: {
      ca: config.tls.ca.map((f) => readFileSync(f, 'utf8')),
      cert: readFileSync(config.tls.cert, 'utf8'),
      key: readFileSync(config.tls.key, 'utf8'),
    },
    suites,
    peersByMember: new Map(peers.map((p) => [p.config.member, p])),
    peersByTlsFingerprint: new Map(peers.map((p) => [p.tlsFingerprint, p])),
    systemsByFingerprint: new Map(config.systems.map((s) => [certFingerprint(loadCertDer(s.cert)), s])),
    ...(config.seals ? { seals: loadSealMaterial(config) } : {}),
  };
}
