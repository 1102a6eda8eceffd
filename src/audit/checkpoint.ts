import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { SuiteName } from '../crypto/index.js';
import { canonicalJson, chainDigest, entryLine } from './canonical.js';
import { anchorFileName, fsyncDir, writeFileDurable } from './files.js';
import type { ChainHashName, CheckpointSignatureVerifier, CheckpointSigner, LogEntry } from './types.js';

/** Domain separation: the node key that signs checkpoints also signs packets and receipts. */
export const CHECKPOINT_PURPOSE = 'tongban-audit-checkpoint/1';

/** What a checkpoint vouches for: entry `seq` of the chain has hash `hash`. */
export interface CheckpointFacts {
  instance: string;
  member: string;
  seq: number;
  hash: string;
  time: string;
  alg: ChainHashName;
}

/**
 * Builds the `detail` of a checkpoint entry:
 * `{ purpose, instance, member, seq, hash, time, alg }`, and when signed also
 * `suite`, `signerFingerprint` (hex chain hash of the certificate DER), `cert` (base64 DER) and
 * `signature` (base64). The signature is over {@link checkpointSignedData}.
 */
export async function buildCheckpointDetail(
  facts: CheckpointFacts,
  signing?: { signer: CheckpointSigner; certDer: Buffer; suite: SuiteName },
): Promise<Record<string, string | number | boolean>> {
  const detail: Record<string, string | number | boolean> = { purpose: CHECKPOINT_PURPOSE, ...facts };
  if (!signing) return detail;
  detail.suite = signing.suite;
  detail.signerFingerprint = chainDigest(facts.alg, signing.certDer);
  const signature = await signing.signer(checkpointSignedData(detail));
  detail.cert = signing.certDer.toString('base64');
  detail.signature = signature.toString('base64');
  return detail;
}

/**
 * The signed bytes: UTF-8 canonical JSON (see `canonicalJson`) of the checkpoint detail without
 * `signature` and `cert`. The certificate is bound through `signerFingerprint` instead.
 */
export function checkpointSignedData(detail: Record<string, unknown>): Buffer {
  const signed = { ...detail };
  delete signed.signature;
  delete signed.cert;
  return Buffer.from(canonicalJson(signed), 'utf8');
}

/** Outcome of checking one checkpoint entry on its own (not against the chain). */
export type CheckpointCheck =
  | { ok: true; facts: CheckpointFacts; signed: boolean; verified: boolean }
  | { ok: false; signatureProblem: boolean; reason: string };

/**
 * Checks the form of a checkpoint entry and, when it is signed and `verify` is given, its
 * signature. `signatureProblem` is false when the detail does not even describe a checkpoint.
 */
export async function checkCheckpointEntry(
  entry: LogEntry,
  verify: CheckpointSignatureVerifier | undefined,
  requireSignature: boolean,
): Promise<CheckpointCheck> {
  const d = entry.detail ?? {};
  const ok =
    d.purpose === CHECKPOINT_PURPOSE &&
    d.instance === entry.instance &&
    d.member === entry.member &&
    d.alg === entry.alg &&
    typeof d.seq === 'number' &&
    Number.isSafeInteger(d.seq) &&
    d.seq >= 1 &&
    d.seq < entry.seq &&
    typeof d.hash === 'string' &&
    typeof d.time === 'string';
  if (!ok)
    return { ok: false, signatureProblem: true, reason: 'checkpoint detail does not describe this chain' };
  const facts: CheckpointFacts = {
    instance: entry.instance,
    member: entry.member,
    seq: d.seq as number,
    hash: d.hash as string,
    time: d.time as string,
    alg: entry.alg,
  };
  if (d.signature === undefined) {
    if (requireSignature) return { ok: false, signatureProblem: true, reason: 'checkpoint is not signed' };
    return { ok: true, facts, signed: false, verified: false };
  }
  if (
    typeof d.signature !== 'string' ||
    typeof d.cert !== 'string' ||
    (d.suite !== 'sm' && d.suite !== 'intl')
  ) {
    return { ok: false, signatureProblem: true, reason: 'signature, cert or suite missing' };
  }
  const certDer = Buffer.from(d.cert, 'base64');
  if (chainDigest(entry.alg, certDer) !== d.signerFingerprint) {
    return { ok: false, signatureProblem: true, reason: 'signer certificate does not match its fingerprint' };
  }
  if (!verify) return { ok: true, facts, signed: true, verified: false };
  let good: boolean;
  try {
    good = await verify(checkpointSignedData(d), Buffer.from(d.signature, 'base64'), certDer, d.suite);
  } catch {
    good = false;
  }
  if (!good) return { ok: false, signatureProblem: true, reason: 'checkpoint signature does not verify' };
  return { ok: true, facts, signed: true, verified: true };
}

/**
 * Replaces `<dir>/checkpoint-<instanceId>.json` with the checkpoint entry (one canonical line):
 * write a temporary file, fsync, rename, fsync the directory — so a crash leaves either the old
 * or the new anchor, never half of one.
 */
export async function writeAnchor(dir: string, instanceId: string, entry: LogEntry): Promise<void> {
  const name = anchorFileName(instanceId);
  const tmp = join(dir, `.${name}.tmp`);
  await writeFileDurable(tmp, entryLine(entry), 'w');
  await rename(tmp, join(dir, name));
  await fsyncDir(dir);
}
