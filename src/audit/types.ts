import type { SuiteName } from '../crypto/index.js';

/** What happened in one exchange step. */
export type ExchangeEventKind =
  | 'accepted'
  | 'rejected'
  | 'queued'
  | 'sent'
  | 'retried'
  | 'delivered'
  | 'receipt'
  | 'dead'
  | 'received'
  | 'refused'
  | 'duplicate'
  | 'inbox-acked'
  | 'pushed'
  | 'admin'
  | 'expired'
  | 'alert'
  | 'checkpoint'
  | 'start'
  | 'stop';

/** Every event kind, for runtime checks. */
export const EXCHANGE_EVENT_KINDS: readonly ExchangeEventKind[] = [
  'accepted',
  'rejected',
  'queued',
  'sent',
  'retried',
  'delivered',
  'receipt',
  'dead',
  'received',
  'refused',
  'duplicate',
  'inbox-acked',
  'pushed',
  'admin',
  'expired',
  'alert',
  'checkpoint',
  'start',
  'stop',
];

/** A citizen touched by an exchange, as the caller knows them. Never written in clear. */
export interface PersonRef {
  /** e.g. "applicant", "newborn", "father", "mother". */
  role: string;
  /** 公民身份号码. */
  idNumber?: string;
  /** Full name. */
  name?: string;
}

/** A citizen as written to the log: masked for reading, keyed hash for searching. */
export interface PersonRecord {
  role: string;
  /** ID number with all but the first 4 and last 4 characters masked. */
  masked?: string;
  /** Name with all but the first character masked. */
  maskedName?: string;
  /** Hex HMAC (SM3 or SHA-256, as the log's `hash`) of the normalized ID number; see `personKey`. */
  hmac?: string;
}

/** One exchange step to record. */
export interface ExchangeEvent {
  event: ExchangeEventKind;
  packetId?: string;
  caseId?: string;
  type?: string;
  /** Member/office codes, not personal. */
  from?: string;
  to?: string;
  /** Who acted, e.g. "system:520000-population", "peer:330000", "worker:outbound", "admin:alice". */
  actor: string;
  outcome: 'ok' | 'error';
  /** GW_ERR_* when outcome is error. */
  code?: string;
  /** Extra facts; no personal data (raw values of `people` found here are masked anyway). */
  detail?: Record<string, string | number | boolean>;
  /** Citizens concerned; converted to {@link PersonRecord}. */
  people?: PersonRef[];
}

/** Name of the chain hash. */
export type ChainHashName = 'sm3' | 'sha256';

/** One line of the exchange log (see `canonical.ts` for how `hash` is computed). */
export interface LogEntry {
  /** Format version of the entry; 1. */
  v: 1;
  /** 1-based, continuous across daily files of one instance. */
  seq: number;
  /** ISO 8601 with the Asia/Shanghai offset, e.g. 2025-03-01T09:30:00.000+08:00. */
  time: string;
  instance: string;
  member: string;
  /** Chain hash algorithm, so that a log can be verified without configuration. */
  alg: ChainHashName;
  event: ExchangeEventKind;
  packetId?: string;
  caseId?: string;
  type?: string;
  from?: string;
  to?: string;
  actor: string;
  outcome: 'ok' | 'error';
  code?: string;
  detail?: Record<string, string | number | boolean>;
  people?: PersonRecord[];
  /** `hash` of the entry with seq - 1, or {@link GENESIS_HASH} for seq 1. */
  prev: string;
  /** Hex chain hash of the canonical encoding of this entry without `hash`. */
  hash: string;
}

/** Signs checkpoint data; returns the raw signature bytes (e.g. DER ECDSA/SM2). */
export type CheckpointSigner = (data: Buffer) => Promise<Buffer>;

/** Checks a checkpoint signature made by the holder of `certDer`. */
export type CheckpointSignatureVerifier = (
  data: Buffer,
  signature: Buffer,
  certDer: Buffer,
  suite: SuiteName,
) => Promise<boolean>;

/** Options of {@link ExchangeLog}. */
export interface ExchangeLogOptions {
  /** Directory of the daily files; created when missing. */
  dir: string;
  /** This node's member code, e.g. "520000". Letters and digits only. */
  member: string;
  /** This instance's id; letters, digits, `.`, `_`, `-`. One chain per instance. */
  instanceId: string;
  /** Chain hash: SM3 for the `sm` suite, SHA-256 for `intl`. */
  hash: ChainHashName;
  /** Node secret for the keyed hash of ID numbers (HMAC with `hash`). */
  secret: Buffer;
  /**
   * Signed checkpoints. Without it, checkpoints are still written (every 1000 entries / 60 s and
   * at close) but carry no signature: they then only anchor against truncation.
   */
  checkpoint?: {
    signer: CheckpointSigner;
    certDer: Buffer;
    suite: SuiteName;
    /** Default 1000; 0 turns the count trigger off. */
    everyEntries?: number;
    /** Default 60 000; 0 turns the timer off. */
    everyMs?: number;
  };
  /** Clock; default `() => new Date()`. */
  now?: () => Date;
  /**
   * After a write failure, the log stays unavailable for this long before a `record` call tries
   * to repair the file and resume. Default 1000 ms.
   */
  retryAfterMs?: number;
}

/** The exchange log of one gateway instance. */
export interface ExchangeLog {
  /**
   * Resolves only once the entry is durably on disk (fsync); callers send the 202 after this.
   * Rejects with `GW_ERR_AUDIT_UNAVAILABLE` when the log cannot be written (or is closed), and
   * with `GW_ERR_INTERNAL` for a malformed event or a `checkpoint` event (the log writes those).
   */
  record(e: ExchangeEvent): Promise<LogEntry>;
  /** Writes a signed checkpoint now (when there is anything new to cover); resolves with it. */
  checkpoint(): Promise<LogEntry | null>;
  /** Writes a final checkpoint, flushes, closes. */
  close(): Promise<void>;
  /** False after a write error (disk full, unwritable dir) until a retry succeeds. */
  readonly healthy: boolean;
  /** Last durable entry: seq 0 and the genesis hash for an empty log. */
  readonly head: { readonly seq: number; readonly hash: string };
  /**
   * Since open: entries written, write+fdatasync batches (group commit: `written / syncs` is the
   * mean batch size) and records refused with `GW_ERR_AUDIT_UNAVAILABLE`. For metrics.
   */
  readonly stats: { readonly written: number; readonly syncs: number; readonly refused: number };
}

/** Kind of a problem found by the verifier. */
export type VerifyProblemKind =
  | 'edited'
  | 'inserted'
  | 'deleted'
  | 'reordered'
  | 'truncated'
  | 'bad-checkpoint-signature'
  | 'missing-file'
  | 'malformed';

/** One problem found by the verifier. */
export interface VerifyProblem {
  /** File name inside the directory. */
  file: string;
  /** Seq of the entry concerned (for `deleted`/`truncated`: the first missing one). */
  seq?: number;
  /** 1-based line in `file`. */
  line?: number;
  kind: VerifyProblemKind;
  /** Instance whose chain is concerned. */
  instance?: string;
  /** Human-readable explanation for the auditor. */
  message: string;
}

/** Result of verifying a log directory. */
export type VerifyResult =
  | {
      ok: true;
      entries: number;
      instances: string[];
      /** Checkpoint entries found (anchors not counted). */
      checkpoints: number;
      /** Checkpoint signatures actually checked with `verifySignature`. */
      signaturesVerified: number;
    }
  | { ok: false; problems: VerifyProblem[] };

/** Options of the verifier. */
export interface VerifyOptions {
  /** Checks checkpoint signatures; without it, only their consistency with the chain is checked. */
  verifySignature?: CheckpointSignatureVerifier;
  /** Report unsigned checkpoints as `bad-checkpoint-signature`. Default false. */
  requireSignatures?: boolean;
  /** Stop collecting after this many problems. Default 100. */
  maxProblems?: number;
}
