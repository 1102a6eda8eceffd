/**
 * The shape of the bad-input corpus: each case is data (a name, a request, the expected status
 * and code); bodies that need fresh packet ids, envelopes or megabytes are generators.
 */

/** Client certificate a case presents. */
export type ClientChoice =
  /** 上海 system-population (a registered local system; the API's normal caller). */
  | 'population'
  /** 上海 system-window (may only send applications). */
  | 'window'
  /** 浙江's population system: trusted CA, but registered at the other gateway. */
  | 'other-member-system'
  /** No certificate at all. */
  | 'none'
  /** A certificate from a CA the gateways do not trust. */
  | 'foreign-ca'
  /** Self-signed. */
  | 'self-signed'
  /** Issued by the trusted root but expired yesterday. */
  | 'expired'
  /** Issued by the trusted root, valid from tomorrow. */
  | 'not-yet-valid'
  /** Issued by the trusted root for serverAuth only. */
  | 'server-only-eku'
  /** 上海's node TLS certificate: the pinned peer on 浙江's peer port. */
  | 'sender-node'
  /** 浙江's own node certificate presented to itself. */
  | 'receiver-node'
  /** 江苏's node certificate: trusted CA, not a configured peer. */
  | 'unknown-member-node'
  /** A node certificate for 上海 (same subject), issued by the root, expired: not the pinned one. */
  | 'expired-sender-node';

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly text: string;
}

/** What a sealed envelope is made of (defaults: the genuine 上海 → 浙江 envelope). */
export interface EnvelopeOptions {
  readonly suite?: 'sm' | 'intl';
  /** Whose signing key signs: the sender (genuine), the receiver itself, or 江苏 (a stranger). */
  readonly signer?: 'sender' | 'receiver' | 'stranger';
  /** Whose encryption certificate it is sealed for. */
  readonly recipient?: 'receiver' | 'sender';
  /** Bytes to sign instead of the canonical packet. */
  readonly content?: Buffer;
}

/** Helpers the generators get. */
export interface CorpusContext {
  /** A fresh valid 长三角 application 上海 → 浙江 (unique id, case id, 出生医学证明 number). */
  packet(): Record<string, unknown> & { id: string };
  /** A fresh valid packet changed by `mutate` (mutate the object in place). */
  variant(mutate: (p: PacketLike) => void): Record<string, unknown> & { id: string };
  /** UTF-8 JSON bytes. */
  json(value: unknown): Buffer;
  /** The packet as XML text (same shape as samples/…gbk.xml), with a declaration naming `encoding`. */
  xml(p: Record<string, unknown>, encoding?: string | null): string;
  /** Encode text in a charset (utf-8, gbk, gb18030, utf-16le). */
  encode(text: string, charset: string): Buffer;
  /** A sealed envelope as the sender's gateway would send it; returns the WireEnvelope object. */
  envelope(
    p: Record<string, unknown>,
    opts?: EnvelopeOptions,
  ): Promise<Record<string, unknown> & { id: string; cms: string }>;
  /** Keep a value for a later case (replays). */
  remember(key: string, value: unknown): void;
  recall<T>(key: string): T;
  /** Ids made by packet()/variant() in this case: stored once if the case expects success, never if refused. */
  readonly created: string[];
}

/** A packet as generators mutate it. */
export type PacketLike = Record<string, unknown> & {
  id: string;
  from: Record<string, unknown>;
  to: Record<string, unknown>;
  payload: Record<string, Record<string, unknown>> & {
    newborn: Record<string, unknown> & { birthPlace: Record<string, unknown> };
  };
  attachments: Array<Record<string, unknown>>;
};

/** A request of the corpus. */
export interface CorpusRequest {
  /** 上海's API port, or 浙江's peer port (envelopes from 上海). */
  readonly port: 'api' | 'peer';
  readonly client?: ClientChoice;
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Default `/v1/packets` (api) or `/v1/peer/packets` (peer). */
  readonly path?: string;
  /** `null`: no Content-Type header. Default application/json. */
  readonly contentType?: string | null;
  readonly body?: Buffer | string | ((c: CorpusContext) => Buffer | string | Promise<Buffer | string>);
}

/** One case. */
export interface CorpusCase {
  readonly name: string;
  readonly request: CorpusRequest;
  /** Expected status and code; several codes where the layer that notices depends on the byte hit. */
  readonly expect: { readonly status: number; readonly code?: string | readonly string[] };
  /** Extra assertion on the answer (replays: the original receipt). */
  readonly check?: (a: Answer, c: CorpusContext) => void;
}
