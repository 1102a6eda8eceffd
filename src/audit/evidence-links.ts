import { canonicalJson as packetCanonicalJson } from '../packets/index.js';
import { chainDigest } from './canonical.js';
import type { EvidenceBundle } from './evidence-types.js';
import type { LogEntry } from './types.js';

/** Records one check of the report; returns `ok`. */
export type EvidenceCheckFn = (name: string, ok: boolean, message: string) => boolean;

/** The log entries, the receipts and the envelope must name the same things. */
export function checkLinks(
  bundle: EvidenceBundle,
  entries: readonly LogEntry[],
  check: EvidenceCheckFn,
): void {
  const p = bundle.packet;
  const { acceptance, delivery } = bundle.receipts;
  if (p.direction === 'out') {
    const accepted = entries.find((e) => e.event === 'accepted' && e.outcome === 'ok');
    if (
      !check(
        'log: accepted',
        accepted !== undefined,
        accepted
          ? `seq ${accepted.seq} at ${accepted.time}`
          : 'no accepted entry for the packet in the signed excerpt',
      )
    )
      return;
    check(
      'log: accepted digest',
      accepted!.detail?.digest === acceptance?.digest.value,
      `logged ${String(accepted!.detail?.digest)}, receipt ${acceptance?.digest.value ?? '-'}`,
    );
    if (delivery) {
      const got = entries.find(
        (e) => e.event === 'receipt' && e.outcome === 'ok' && e.detail?.at === delivery.at,
      );
      check(
        'log: delivery receipt',
        got !== undefined,
        got ? `logged as verified at seq ${got.seq}` : 'no receipt entry records this delivery receipt',
      );
    }
    if (!check('envelope', typeof bundle.envelope === 'string', bundle.envelope ? 'present' : 'missing'))
      return;
    let env: Record<string, unknown> = {};
    try {
      env = JSON.parse(bundle.envelope!) as Record<string, unknown>;
    } catch {
      /* reported below */
    }
    const header =
      env.v === 1 &&
      env.id === p.id &&
      env.type === p.type &&
      env.from === p.from &&
      env.to === p.to &&
      typeof env.cms === 'string' &&
      (!delivery || env.suite === delivery.suite);
    check(
      'envelope header',
      header,
      header
        ? `${String(env.suite)} envelope ${p.from} → ${p.to}`
        : 'the envelope names another packet, route or suite',
    );
    const logged = accepted!.detail?.envelopeDigest;
    const actual = chainDigest(accepted!.alg, Buffer.from(bundle.envelope!, 'utf8'));
    check(
      'envelope digest',
      logged === actual,
      logged === undefined
        ? 'the accepted entry records no envelope digest'
        : `${accepted!.alg} ${actual}${logged === actual ? ' as logged' : `, logged ${String(logged)}`}`,
    );
  } else {
    const received = entries.find((e) => e.event === 'received' && e.outcome === 'ok');
    check(
      'log: received',
      received !== undefined && received.detail?.digest === delivery?.digest.value,
      received
        ? `seq ${received.seq}, digest ${String(received.detail?.digest)}`
        : 'no received entry for the packet in the signed excerpt',
    );
  }
}

/** Receipts name the same content; with the content at hand, it is that content. */
export function checkDigests(
  bundle: EvidenceBundle,
  content: Buffer | undefined,
  check: EvidenceCheckFn,
): void {
  const own = bundle.packet.direction === 'out' ? bundle.receipts.acceptance : bundle.receipts.delivery;
  check('packet digest', own?.digest.value === bundle.packet.digest, `summary ${bundle.packet.digest}`);
  const { acceptance, delivery } = bundle.receipts;
  if (acceptance && delivery) {
    if (acceptance.digest.alg === delivery.digest.alg) {
      check(
        'same content',
        acceptance.digest.value === delivery.digest.value,
        `both receipts name ${acceptance.digest.alg} ${acceptance.digest.value}`,
      );
    } else {
      check(
        'same content',
        true,
        `receipts use ${acceptance.digest.alg} and ${delivery.digest.alg}; compare them with --content <packet.json>`,
      );
    }
  }
  if (!content) return;
  let canonical: Buffer;
  try {
    canonical = Buffer.from(packetCanonicalJson(JSON.parse(content.toString('utf8'))), 'utf8');
  } catch {
    check('content', false, 'the given content is not JSON');
    return;
  }
  for (const rc of [acceptance, delivery]) {
    if (!rc) continue;
    const d = chainDigest(rc.digest.alg, canonical);
    check(
      `content (${rc.kind})`,
      d === rc.digest.value,
      d === rc.digest.value ? `${rc.digest.alg} digest matches` : `${rc.digest.alg} ${d} differs`,
    );
  }
}
