import type { SuiteName } from '../crypto/index.js';
import type { SignedReceipt } from '../receipts/index.js';
import type { ChainHashName } from './types.js';

/** Format tag of an evidence bundle (one JSON document, UTF-8). */
export const EVIDENCE_FORMAT = 'tongban-evidence/1';

/** What a certificate in a bundle is for. */
export type EvidenceCertRole =
  'node-signing' | 'node-encryption' | 'node-tls' | 'peer-signing' | 'peer-encryption' | 'peer-tls' | 'ca';

/** One certificate of a bundle. `member` and `role` are claims; the verifier checks them. */
export interface EvidenceCertificate {
  readonly role: EvidenceCertRole;
  /** Member code of the gateway the certificate belongs to (absent for CAs). */
  readonly member?: string;
  /** Suite the certificate serves (signing and encryption certificates). */
  readonly suite?: SuiteName;
  /** Base64 DER. */
  readonly der: string;
  /** Subject, for the reader; not trusted by the verifier. */
  readonly subject?: string;
}

/**
 * A contiguous run of one instance's exchange-log lines, copied byte for byte: from the packet's
 * first entry up to the first signed checkpoint that vouches for its last one. Each line's hash
 * covers the previous line's hash, so the checkpoint's signature covers every line of the run.
 */
export interface EvidenceLogExcerpt {
  readonly member: string;
  readonly instance: string;
  readonly alg: ChainHashName;
  /** Log lines, without "\n", in seq order; the last one is a checkpoint entry. */
  readonly lines: readonly string[];
}

/** The packet as the issuing node stored it. Unsigned: the verifier checks it against the receipts. */
export interface EvidencePacketSummary {
  readonly id: string;
  readonly caseId: string;
  readonly type: string;
  /** `out`: this node accepted it from a local system and sent it; `in`: received from a peer. */
  readonly direction: 'out' | 'in';
  readonly from: string;
  readonly fromOffice: string;
  readonly to: string;
  readonly toOffice: string;
  readonly peer?: string;
  readonly status: string;
  readonly createdAt: string;
  /** Hex digest of the canonical packet, as in the issuing node's receipt. */
  readonly digest: string;
}

/**
 * Evidence for one packet, made by one gateway (`issuer`) from its store and exchange log, to be
 * checked offline with only the root certificates: who sent what to whom and when, and that the
 * receiver got it. It holds no citizen data in clear: the envelope is encrypted for the receiving
 * gateway, receipts carry digests, the log is masked.
 */
export interface EvidenceBundle {
  readonly format: typeof EVIDENCE_FORMAT;
  readonly createdAt: string;
  /** Gateway (member and instance) that made the bundle. */
  readonly issuer: { readonly member: string; readonly instance: string };
  readonly packet: EvidencePacketSummary;
  /**
   * `out` only: the sealed envelope exactly as stored and sent (JSON of the wire envelope: clear
   * header, CMS signed-then-encrypted for the receiver). Its digest is in the `accepted` entry.
   */
  readonly envelope?: string;
  readonly receipts: {
    /** `out`: this gateway's acceptance receipt, given to the local system with the 202. */
    readonly acceptance?: SignedReceipt;
    /** `out`: the receiver's delivery receipt; `in`: the one this gateway issued. */
    readonly delivery?: SignedReceipt;
  };
  readonly certificates: readonly EvidenceCertificate[];
  readonly log: readonly EvidenceLogExcerpt[];
}
