import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import type { KeyedIdentity } from '../src/crypto/index.js';
import {
  createSmSuite,
  generateSm2KeyPair,
  getSm2,
  issueSm2Certificate,
  nativeSm2Status,
  type Sm2,
} from '../src/crypto/sm/index.js';
import type { BenchRow } from './bench-row.js';
import { median } from './stats.js';

const PACKET_BYTES = 4096;
const ROUNDS = 11;
const ROUND_MS = 100;

type Op = () => unknown;

/** Ops/s of one timed round. */
async function round(fn: Op): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

/**
 * Per-round ops/s of several functions measured in interleaved rounds (a, b, c, a, b, c, …).
 * On this shared machine the load changes from second to second; interleaving makes a burst hit
 * every function alike, and ratios are taken per round before the median.
 */
async function interleaved(fns: readonly Op[]): Promise<number[][]> {
  const rates: number[][] = fns.map(() => []);
  for (const fn of fns) for (let i = 0; i < 20; i++) await fn(); // warm-up: caches, JIT, tables
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < fns.length; i++) rates[i]!.push(await round(fns[i]!));
  }
  return rates;
}

/** A row whose ratio is the median of per-round ratios against `limit` (per-round rates). */
function row(name: string, rates: number[], limit?: number[], note?: string, scale = 1): BenchRow {
  const ops = rates.map((r) => r * scale);
  return {
    name,
    unit: 'ops/s',
    median: median(ops),
    ...(limit ? { limit: median(limit), ratio: median(ops.map((r, i) => r / limit[i]!)) } : {}),
    ...(note ? { note } : {}),
  };
}

/** Per-round maximum of two rate series (the faster of two reference variants). */
function faster(a: number[], b: number[]): number[] {
  return a.map((x, i) => Math.max(x, b[i]!));
}

function identities(): { signer: KeyedIdentity; recipient: KeyedIdentity } {
  const validity = { notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000) };
  const rootKeys = generateSm2KeyPair();
  const rootDer = issueSm2Certificate({
    subject: { commonName: 'Bench SM2 Root' },
    ...validity,
    isCa: true,
    keyUsage: ['keyCertSign'],
    publicKey: rootKeys.publicKey,
    subjectPrivateKeyForSelfSigned: rootKeys.privateKey,
  });
  const leaf = (commonName: string, encipher: boolean): KeyedIdentity => {
    const keys = generateSm2KeyPair();
    const certDer = issueSm2Certificate({
      subject: { commonName },
      ...validity,
      isCa: false,
      keyUsage: encipher ? ['keyEncipherment'] : ['digitalSignature'],
      publicKey: keys.publicKey,
      issuer: { certDer: rootDer, privateKey: rootKeys.privateKey },
    });
    return { certDer, privateKey: keys.privateKey };
  };
  return { signer: leaf('Bench Signer', false), recipient: leaf('Bench Recipient', true) };
}

/**
 * Standard SM2 (both backends) and the `sm` suite, ops/s (median of interleaved rounds).
 *
 * Limits, measured in the same rounds:
 * - sign/verify: Node's own `crypto.sign`/`crypto.verify` on a 4 KiB message with SM2 keys —
 *   non-standard (an SM2-typed key runs SM2 with an empty ID, a freshly generated EC key runs
 *   ECDSA-with-SM3). Per round the faster of the two is the limit; ratio = ours / Node's.
 * - encrypt/decrypt: Node cannot SM2-encrypt at all, so native rows have no limit and the JS
 *   fallback's rows are compared with native.
 * - suite (4 KiB packet): the limit is the bare native SM2 work of the same pair of operations,
 *   so the ratio is what remains after SM3, SM4-GCM and GM/T 0010 encoding.
 */
export async function benchSm(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const message = Buffer.alloc(PACKET_BYTES, 0x42);
  const cek = Buffer.alloc(32, 0x17);
  const keys = generateSm2KeyPair();
  const sm2Private = createPrivateKey({
    key: keys.privateKey.export({ format: 'der', type: 'pkcs8' }),
    format: 'der',
    type: 'pkcs8',
  });
  const sm2Public = createPublicKey({
    key: keys.publicKey.export({ format: 'der', type: 'spki' }),
    format: 'der',
    type: 'spki',
  });
  const ec = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const nodeSigSm2 = nodeSign(null, message, sm2Private);
  const nodeSigEc = nodeSign('sm3', message, ec.privateKey);
  const hasNative = nativeSm2Status().available;
  const js = getSm2('js');
  const native = hasNative ? getSm2('native') : undefined;
  const sig = js.sign(message, keys.privateKey);
  const ct = js.encrypt(cek, keys.publicKey);
  const batch4 =
    (f: () => Promise<unknown>): Op =>
    () =>
      Promise.all([f(), f(), f(), f()]);

  // --- sign and verify. The headline ratio (native, sync) comes from a group of three so that
  // its rounds sit closest to Node's; the other variants run in a second group with Node again.
  for (const op of ['sign', 'verify'] as const) {
    const isSign = op === 'sign';
    const nodeOps: Op[] = isSign
      ? [() => nodeSign(null, message, sm2Private), () => nodeSign('sm3', message, ec.privateKey)]
      : [
          () => nodeVerify(null, message, sm2Public, nodeSigSm2),
          () => nodeVerify('sm3', message, ec.publicKey, nodeSigEc),
        ];
    const ours = (sm2: Sm2): Op =>
      isSign ? () => sm2.sign(message, keys.privateKey) : () => sm2.verify(message, sig, keys.publicKey);
    const oursAsync = (sm2: Sm2): (() => Promise<unknown>) =>
      isSign
        ? () => sm2.signAsync(message, keys.privateKey)
        : () => sm2.verifyAsync(message, sig, keys.publicKey);
    const note = `limit = Node crypto.${op}, faster variant per round`;
    if (native) {
      const [a, b, nat] = await interleaved([...nodeOps, ours(native)]);
      const limit = faster(a!, b!);
      rows.push(row(`node crypto.${op}, SM2 key (empty ID)`, a!, undefined, 'non-standard; limit'));
      rows.push(row(`node crypto.${op}, EC key (ECDSA-SM3)`, b!, undefined, 'non-standard; limit'));
      rows.push(row(`sm2 ${op} (native, sync)`, nat!, limit, note));
    }
    const more: Op[] = [...nodeOps, ours(js)];
    if (native) more.push(oursAsync(native), batch4(oursAsync(native)));
    const [a, b, jsRate, async1, async4] = await interleaved(more);
    const limit = faster(a!, b!);
    if (!native) {
      rows.push(row(`node crypto.${op}, SM2 key (empty ID)`, a!, undefined, 'non-standard; limit'));
      rows.push(row(`node crypto.${op}, EC key (ECDSA-SM3)`, b!, undefined, 'non-standard; limit'));
    }
    if (async1 && async4) {
      rows.push(row(`sm2 ${op} (native, async, 1 in flight)`, async1, limit, 'event loop free'));
      rows.push(row(`sm2 ${op} (native, async, 4 in flight)`, async4, limit, 'libuv pool, per-op rate', 4));
    }
    rows.push(row(`sm2 ${op} (js fallback)`, jsRate!, limit, note));
  }

  // --- encrypt / decrypt a 32-byte key
  const cryptOps: Op[] = [() => js.encrypt(cek, keys.publicKey), () => js.decrypt(ct, keys.privateKey)];
  if (native)
    cryptOps.push(
      () => native.encrypt(cek, keys.publicKey),
      () => native.decrypt(ct, keys.privateKey),
    );
  const [jsEnc, jsDec, natEnc, natDec] = await interleaved(cryptOps);
  if (natEnc && natDec) {
    rows.push(row('sm2 encrypt 32 B (native)', natEnc, undefined, 'Node has no SM2 encryption'));
    rows.push(row('sm2 decrypt 32 B (native)', natDec, undefined, 'Node has no SM2 decryption'));
  }
  rows.push(row('sm2 encrypt 32 B (js fallback)', jsEnc!, natEnc, natEnc ? 'limit = native' : undefined));
  rows.push(row('sm2 decrypt 32 B (js fallback)', jsDec!, natDec, natDec ? 'limit = native' : undefined));

  // --- suite, 4 KiB packet
  const { signer, recipient } = identities();
  const signerKey = signer.privateKey;
  const recipientKey = createPublicKey(recipient.privateKey);
  const signerPublic = createPublicKey(signerKey); // once: keys are cached per KeyObject
  const suites = [
    ...(native
      ? [
          { label: 'native, async SM2', suite: createSmSuite({ backend: 'native', sm2Calls: 'async' }) },
          { label: 'native, sync SM2', suite: createSmSuite({ backend: 'native', sm2Calls: 'sync' }) },
        ]
      : []),
    { label: 'js fallback', suite: createSmSuite({ backend: 'js' }) },
  ];
  const ref = native ?? js;
  const sealed = await suites[0]!.suite.encrypt(
    await suites[0]!.suite.sign(message, signer),
    recipient.certDer,
  );
  const bareSig = ref.sign(message, signerKey);
  const bareCt = ref.encrypt(Buffer.alloc(16), recipientKey);
  const [bareOut, ...outRates] = await interleaved([
    () => [ref.sign(message, signerKey), ref.encrypt(Buffer.alloc(16), recipientKey)],
    ...suites.map(
      ({ suite }) =>
        async () =>
          suite.encrypt(await suite.sign(message, signer), recipient.certDer),
    ),
  ]);
  const [bareBack, ...backRates] = await interleaved([
    () => [ref.decrypt(bareCt, recipient.privateKey), ref.verify(message, bareSig, signerPublic)],
    ...suites.map(
      ({ suite }) =>
        async () =>
          suite.verify(await suite.decrypt(sealed, recipient), signer.certDer),
    ),
  ]);
  const bareNote = `limit = bare ${ref.backend} SM2 of the same operations`;
  suites.forEach(({ label }, i) => {
    rows.push(row(`sm suite sign+encrypt 4 KiB (${label})`, outRates[i]!, bareOut, bareNote));
    rows.push(row(`sm suite decrypt+verify 4 KiB (${label})`, backRates[i]!, bareBack, bareNote));
  });
  return rows;
}
