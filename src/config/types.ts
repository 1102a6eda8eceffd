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

/** Kinds of attached material a policy may require (mirrors the packet schema's enum). */
export type MaterialKind =
  | 'birth-certificate'
  | 'household-register'
  | 'marriage-certificate'
  | 'application-form'
  | 'commitment-letter'
  | 'resident-registration'
  | 'household-page'
  | 'other';

/**
 * Eligibility rules of an agreement for `newborn.application` (checked at acceptance and again at
 * the receiver). A rule that is absent or false is not checked.
 */
export interface AgreementPolicy {
  /** Version of the rules (e.g. the notice they come from); recorded in each case. */
  readonly version: string;
  readonly notice?: string;
  /** Newborn not older than this many months on the day of application (川渝黔 / 省内: 12). */
  readonly newbornMaxAgeMonths?: number;
  /** Attachment kinds that must be present. */
  readonly requiredAttachments?: readonly MaterialKind[];
  readonly marriageCertificateRequired?: boolean;
  readonly parentHukouInReceivingMember?: boolean;
  readonly householdFollowsParent?: boolean;
  readonly parentIdNumbersValid?: boolean;
  readonly commitmentRequired?: boolean;
}

/** An agreement (通办协议). */
export interface AgreementConfig {
  readonly id: string;
  readonly name?: string;
  readonly members: readonly string[];
  readonly types: readonly PacketTypeName[];
  readonly intra: boolean;
  /** Eligibility rules; none when absent. */
  readonly policy?: AgreementPolicy;
}

/** One year of the working-day calendar added by administrators (YYYY-MM-DD dates of that year). */
export interface CalendarYearConfig {
  readonly holidays: readonly string[];
  readonly workdays: readonly string[];
}

/** Circuit breaker of a peer's queue. */
export interface BreakerConfig {
  /** Consecutive transient failures that open it; 0 = off. */
  readonly failures: number;
  readonly coolDownMs: number;
  readonly maxCoolDownMs: number;
}

/** One seal of this gateway's unit (GB/T 38540), with who applies it here. */
export interface SealConfig {
  readonly esID: string;
  readonly name: string;
  readonly type: 'unit' | 'personal';
  /** DER SESeal. */
  readonly file: string;
  /** PNG picture; must equal the one inside the seal. */
  readonly picture?: string;
  /** unit: the unit's key; officer: the 承办人. The suite follows the key (SM2 sm, P-256 intl). */
  readonly signers: ReadonlyArray<{ readonly role: 'unit' | 'officer'; readonly cert: string; readonly key: string }>;
}

/** The validated, frozen configuration of one node. Paths are absolute. */
export interface GatewayConfig {
  /** Absolute path of the file this was loaded from (or '<memory>'). */
  readonly source: string;
  readonly node: { readonly member: string; readonly name: string; readonly instanceId: string; readonly dataDir: string };
  readonly listen: { readonly api: ListenerConfig; readonly peer: ListenerConfig; readonly admin?: ListenerConfig };
  readonly tls: {
    readonly ca: readonly string[];
    readonly cert: string;
    readonly key: string;
    /** CRL files (absolute), reloaded on change. */
    readonly crl: readonly string[];
    readonly expiryWarningDays: number;
  };
  readonly crypto: {
    readonly defaultSuite: SuiteName;
    readonly suites: Partial<Record<SuiteName, { readonly signing: KeyPairPaths; readonly encryption: KeyPairPaths }>>;
  };
  readonly systems: readonly SystemConfig[];
  readonly peers: readonly PeerConfig[];
  readonly agreements: readonly AgreementConfig[];
  readonly retry: {
    readonly attempts: number;
    readonly backoffMs: number;
    readonly jitter: number;
    readonly requestTimeoutMs: number;
    /** A packet older than this stops retrying and raises an alert. */
    readonly maxAgeHours: number;
    /** Lock time of a delivery in progress; a dead instance's deliveries are taken over after 2-3× this. */
    readonly takeoverMs: number;
    readonly breaker: BreakerConfig;
  };
  readonly redis: { readonly url?: string; readonly prefix: string };
  readonly audit: {
    readonly dir: string;
    readonly secretFile: string;
    readonly checkpointEvery: number;
    readonly checkpointMs: number;
    /** Days packet records (envelope, receipts) are kept; 0 = forever. See audit/retention-sweep. */
    readonly retentionDays: number;
  };
  readonly limits: {
    readonly bodyBytes: number;
    readonly requestTimeoutMs: number;
    readonly inboxPage: number;
    /** Most attachments per packet. */
    readonly attachments: number;
    /** API requests per second per local system; 0 = unlimited. */
    readonly ratePerSecond: number;
    readonly rateBurst?: number;
    /** Per-system overrides by system id. */
    readonly systems: Readonly<Record<string, { readonly ratePerSecond: number; readonly rateBurst?: number }>>;
  };
  /** Working-day calendar years beyond the `chinese-days` data, keyed by year ("2027"). */
  readonly calendar: { readonly extraYears: Readonly<Record<string, CalendarYearConfig>> };
  /** Case handling: how often a node looks for overdue cases. */
  readonly cases: { readonly overdueCheckMs: number };
  /** Electronic seals; absent when the file has no `seals` section. */
  readonly seals?: {
    /** Seal maker certificates (or their CAs) trusted in received seals. */
    readonly trustedMakers: readonly string[];
    readonly registry: readonly SealConfig[];
  };
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
