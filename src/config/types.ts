import type { SuiteName } from '../crypto/index.js';

/** Packet types the gateway carries. */
export type PacketTypeName =
  | 'newborn.application'
  | 'newborn.decision'
  | 'newborn.completion'
  | 'birth-certificate.check';

/** A certificate file and its key file (absolute paths after loading). */
export interface KeyPairPaths {
  readonly cert: string;
  readonly key: string;
}

/** A listener address. */
export interface ListenerConfig {
  readonly host: string;
  readonly port: number;
}

/** A local system allowed on the API port. */
export interface SystemConfig {
  readonly id: string;
  readonly name?: string;
  readonly cert: string;
  readonly allowedTypes: readonly PacketTypeName[];
  readonly offices: readonly string[];
  readonly delivery: { readonly mode: 'pull' | 'push'; readonly url?: string };
}

/** A peer gateway. */
export interface PeerConfig {
  readonly member: string;
  readonly name?: string;
  readonly url: string;
  readonly tlsCert: string;
  readonly suite: SuiteName;
  readonly certs: Partial<Record<SuiteName, { readonly signing: string; readonly encryption: string }>>;
}

/** An agreement (通办协议). */
export interface AgreementConfig {
  readonly id: string;
  readonly name?: string;
  readonly members: readonly string[];
  readonly types: readonly PacketTypeName[];
  readonly intra: boolean;
}

/** The validated, frozen configuration of one node. Paths are absolute. */
export interface GatewayConfig {
  /** Absolute path of the file this was loaded from (or '<memory>'). */
  readonly source: string;
  readonly node: { readonly member: string; readonly name: string; readonly instanceId: string; readonly dataDir: string };
  readonly listen: { readonly api: ListenerConfig; readonly peer: ListenerConfig; readonly admin?: ListenerConfig };
  readonly tls: { readonly ca: readonly string[]; readonly cert: string; readonly key: string };
  readonly crypto: {
    readonly defaultSuite: SuiteName;
    readonly suites: Partial<Record<SuiteName, { readonly signing: KeyPairPaths; readonly encryption: KeyPairPaths }>>;
  };
  readonly systems: readonly SystemConfig[];
  readonly peers: readonly PeerConfig[];
  readonly agreements: readonly AgreementConfig[];
  readonly retry: { readonly attempts: number; readonly backoffMs: number; readonly jitter: number; readonly requestTimeoutMs: number };
  readonly redis: { readonly url?: string; readonly prefix: string };
  readonly audit: { readonly dir: string; readonly secretFile: string; readonly checkpointEvery: number; readonly checkpointMs: number };
  readonly limits: { readonly bodyBytes: number; readonly requestTimeoutMs: number; readonly inboxPage: number };
}

/** One problem found in a config file. */
export interface ConfigProblem {
  readonly file: string;
  /** JSON pointer into the document, e.g. `/peers/0/url`. */
  readonly path: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** What was expected. */
  readonly message: string;
}
