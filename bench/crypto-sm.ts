import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import type { KeyedIdentity } from '../src/crypto/index.js';
import {
  createSmSuite,
  generateSm2KeyPair,
  getSm2,
  issueSm2Certificate,
  nativeSm2Status,
  type Sm2BackendName,
} from '../src/crypto/sm/index.js';
import type { BenchRow } from './bench-row.js';
import { median } from './stats.js';

const PACKET_BYTES = 4096;
const ROUNDS = 5;
const ROUND_MS = 200;

/** Ops/s of one timed round. */
async function round(fn: () => unknown): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

/**
 * Median ops/s of several functions measured in interleaved rounds (a, b, c, a, b, c, …), so a
 * burst of load from other processes on this shared machine hits all of them alike and the
 * ratios between them stay meaningful.
 */
async function interleaved(fns: ReadonlyArray<() => unknown>): Promise<number[]> {
  const rates: number[][] = fns.map(() => []);
  for (const fn of fns) await fn(); // warm-up: key caches, JIT, the fixed-base table
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < fns.length; i++) rates[i]!.push(await round(fns[i]!));
  }
  return rates.map(median);
}

/** `concurrency` async calls in flight at once; returns a function that runs one batch. */
function batch(concurrency: number, fn: () => Promise<unknown>): () => Promise<unknown> {
  return () => Promise.all(Array.from({ length: concurrency }, fn));
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

function row(name: string, median: number, limit?: number, note?: string): BenchRow {
  return {
    name,
    unit: 'ops/s',
    median,
    ...(limit !== undefined ? { limit, ratio: median / limit } : {}),
    ...(note ? { note } : {}),
  };
}

/**
 * SM2 primitives and the `sm` suite. Limits, all measured in the same run:
 * - sign/verify: Node's own `crypto.sign`/`crypto.verify` with an SM2 key — non-standard (an
 *   SM2-typed key signs with an empty ID, a generated one does ECDSA-with-SM3); the faster of
 *   the two is the limit, ratio = ours / Node's.
 * - encrypt/decrypt: Node has no SM2 encryption at all, so the native rows have no limit and the
 *   JS fallback's rows use the native ones as theirs.
 * - suite rows: the limit is our own native SM2 work for the same operation pair, so the ratio is
 *   the share left after SM3/SM4-GCM and GM/T 0010 encoding of a 4 KiB packet.
 */
export async function benchSm(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const message = Buffer.alloc(PACKET_BYTES, 0x42);
  const cek = Buffer.alloc(32, 0x17);
  const keys = generateSm2KeyPair(); // SM2-typed (re-imported) keys
  const der = {
    pkcs8: keys.privateKey.export({ format: 'der', type: 'pkcs8' }),
    spki: keys.publicKey.export({ format: 'der', type: 'spki' }),
  };
  const sm2Private: KeyObject = createPrivateKey({ key: der.pkcs8, format: 'der', type: 'pkcs8' });
  const sm2Public: KeyObject = createPublicKey({ key: der.spki, format: 'der', type: 'spki' });
  const ecKeys = generateKeyPairSync('ec', { namedCurve: 'SM2' }); // EC-typed: Node signs ECDSA-with-SM3
  const nodeSigSm2 = nodeSign(null, message, sm2Private);
  const nodeSigEc = nodeSign('sm3', message, ecKeys.privateKey);

  const backends: Sm2BackendName[] = nativeSm2Status().available ? ['native', 'js'] : ['js'];
  const [nodeSignSm2, nodeSignEc, nodeVerifySm2, nodeVerifyEc] = await interleaved([
    () => nodeSign(null, message, sm2Private),
    () => nodeSign('sm3', message, ecKeys.privateKey),
    () => nodeVerify(null, message, sm2Public, nodeSigSm2),
    () => nodeVerify('sm3', message, ecKeys.publicKey, nodeSigEc),
  ]);
  const signLimit = Math.max(nodeSignSm2!, nodeSignEc!);
  const verifyLimit = Math.max(nodeVerifySm2!, nodeVerifyEc!);
  rows.push(
    row('sm2 node crypto.sign (SM2 key, empty ID)', nodeSignSm2!, undefined, 'non-standard; limit source'),
  );
  rows.push(
    row('sm2 node crypto.sign (EC key, ECDSA-SM3)', nodeSignEc!, undefined, 'non-standard; limit source'),
  );
  rows.push(
    row(
      'sm2 node crypto.verify (SM2 key, empty ID)',
      nodeVerifySm2!,
      undefined,
      'non-standard; limit source',
    ),
  );
  rows.push(
    row('sm2 node crypto.verify (EC key, ECDSA-SM3)', nodeVerifyEc!, undefined, 'non-standard; limit source'),
  );

  const nativeRates: Record<string, number> = {};
  for (const backend of backends) {
    const sm2 = getSm2(backend);
    const sig = sm2.sign(message, keys.privateKey);
    const ct = sm2.encrypt(cek, keys.publicKey);
    const [s, v, e, d] = await interleaved([
      () => sm2.sign(message, keys.privateKey),
      () => sm2.verify(message, sig, keys.publicKey),
      () => sm2.encrypt(cek, keys.publicKey),
      () => sm2.decrypt(ct, keys.privateKey),
    ]);
    rows.push(
      row(
        `sm2 sign, standard ID (${backend}, 4 KiB)`,
        s!,
        signLimit,
        'limit = Node crypto.sign, faster variant',
      ),
    );
    rows.push(
      row(
        `sm2 verify, standard ID (${backend}, 4 KiB)`,
        v!,
        verifyLimit,
        'limit = Node crypto.verify, faster variant',
      ),
    );
    // Node cannot SM2-encrypt at all (publicEncrypt refuses SM2): the JS rows are compared
    // with the native ones, the native rows stand alone.
    const native = backend === 'native';
    const viaNative = (x?: number): number | undefined => (native ? undefined : x);
    rows.push(
      row(
        `sm2 encrypt 32-byte key (${backend})`,
        e!,
        viaNative(nativeRates['e']),
        native ? 'Node has no SM2 encryption' : 'limit = native',
      ),
    );
    rows.push(
      row(
        `sm2 decrypt 32-byte key (${backend})`,
        d!,
        viaNative(nativeRates['d']),
        native ? 'Node has no SM2 decryption' : 'limit = native',
      ),
    );
    if (native) Object.assign(nativeRates, { s, v, e, d });
  }

  if (backends.includes('native')) {
    // Async entry points: one at a time (latency cost of the thread hop) and 4 in flight
    // (throughput with the event loop free; per-operation rate reported).
    const sm2 = getSm2('native');
    const sig = sm2.sign(message, keys.privateKey);
    const [s1, v1, s4, v4] = await interleaved([
      () => sm2.signAsync(message, keys.privateKey),
      () => sm2.verifyAsync(message, sig, keys.publicKey),
      batch(4, () => sm2.signAsync(message, keys.privateKey)),
      batch(4, () => sm2.verifyAsync(message, sig, keys.publicKey)),
    ]);
    rows.push(row('sm2 signAsync (native, 1 in flight)', s1!, signLimit, 'event loop free'));
    rows.push(row('sm2 verifyAsync (native, 1 in flight)', v1!, verifyLimit, 'event loop free'));
    rows.push(row('sm2 signAsync (native, 4 in flight)', s4! * 4, signLimit, 'libuv pool; per-op rate'));
    rows.push(row('sm2 verifyAsync (native, 4 in flight)', v4! * 4, verifyLimit, 'libuv pool; per-op rate'));
  }

  const { signer, recipient } = identities();
  const pair = (a?: number, b?: number): number | undefined => (a && b ? 1 / (1 / a + 1 / b) : undefined);
  const variants: Array<{ backend: Sm2BackendName; calls: 'async' | 'sync' }> = backends.includes('native')
    ? [
        { backend: 'native', calls: 'async' },
        { backend: 'native', calls: 'sync' },
        { backend: 'js', calls: 'async' },
      ]
    : [{ backend: 'js', calls: 'async' }];
  for (const { backend, calls } of variants) {
    const suite = createSmSuite({ backend, sm2Calls: calls });
    const sealed = await suite.encrypt(await suite.sign(message, signer), recipient.certDer);
    const [out, back] = await interleaved([
      async () => suite.encrypt(await suite.sign(message, signer), recipient.certDer),
      async () => suite.verify(await suite.decrypt(sealed, recipient), signer.certDer),
    ]);
    const label = backend === 'native' ? `native, ${calls} SM2` : backend;
    const native = backend === 'native';
    rows.push(
      row(
        `sm suite sign+encrypt 4 KiB (${label})`,
        out!,
        native ? pair(nativeRates['s'], nativeRates['e']) : undefined,
        native ? 'limit = bare native SM2 sign + encrypt' : undefined,
      ),
    );
    rows.push(
      row(
        `sm suite decrypt+verify 4 KiB (${label})`,
        back!,
        native ? pair(nativeRates['d'], nativeRates['v']) : undefined,
        native ? 'limit = bare native SM2 decrypt + verify' : undefined,
      ),
    );
  }
  return rows;
}
