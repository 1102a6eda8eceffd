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
