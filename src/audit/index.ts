/**
 * The exchange log (audit): a tamper-evident record of every exchange, one hash chain per
 * gateway instance, signed checkpoints, no citizen data in clear. Other folders import only this.
 */
export type {
  ChainHashName,
  CheckpointSignatureVerifier,
  CheckpointSigner,
  ExchangeEvent,
  ExchangeEventKind,
  ExchangeLog,
  ExchangeLogOptions,
  LogEntry,
  PersonRecord,
  PersonRef,
  VerifyOptions,
  VerifyProblem,
  VerifyProblemKind,
  VerifyResult,
} from './types.js';
export { EXCHANGE_EVENT_KINDS } from './types.js';
export { openExchangeLog } from './exchange-log.js';
export { verifyChain, verifyLogDir } from './verify-log-dir.js';
export { readTrail } from './read-trail.js';
export type { TrailFilter } from './read-trail.js';
export { maskIdNumber, maskName, personKey } from './privacy.js';
export { canonicalJson, entryHash, GENESIS_HASH } from './canonical.js';
export { CHECKPOINT_PURPOSE, checkpointSignedData } from './checkpoint.js';
export { anchorFileName, logFileName } from './files.js';
export { scanEntries, fieldNeedle } from './scan-entries.js';
export type { ScanQuery, ScannedEntry } from './scan-entries.js';
export {
  csvHeader,
  csvRow,
  exportEntries,
  formatExported,
  parseTimeBoundary,
  CSV_COLUMNS,
} from './export-entries.js';
export type { ExportFormat, TimeRange } from './export-entries.js';
export { findPerson, readAuditSecret } from './find-person.js';
export { EVIDENCE_FORMAT } from './evidence-types.js';
export type {
  EvidenceBundle,
  EvidenceCertificate,
  EvidenceCertRole,
  EvidenceLogExcerpt,
  EvidencePacketSummary,
} from './evidence-types.js';
export { buildEvidenceBundle } from './build-evidence.js';
export type { EvidenceInput, EvidenceRecord } from './build-evidence.js';
export { packetLogExcerpts } from './evidence-excerpt.js';
export { parseEvidenceBundle, verifyEvidenceBundle } from './verify-evidence.js';
export type { EvidenceCheck, EvidenceVerdict, EvidenceVerifyOptions } from './verify-evidence.js';
export { certSubject, checkCertificateChain } from './cert-chain.js';
export type { ChainCheck } from './cert-chain.js';
export { startRetentionSweep } from './retention-sweep.js';
export type {
  ExpiringRecord,
  RetentionStore,
  RetentionSweep,
  RetentionSweepOptions,
} from './retention-sweep.js';
export { checkpointVerifier } from './checkpoint-verifier.js';
export { loadOrCreateNodeSecret } from './node-secret.js';
