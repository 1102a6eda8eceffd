import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SYSTEMS, startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { initDevPki } from '../../src/pki/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { API_CASES } from './cases-api.js';
import { PEER_CASES } from './cases-peer.js';
import {
  createCorpusContext,
  makeCorpusCredentials,
  RECEIVER,
  requestBody,
  send,
  SENDER,
  STRANGER,
  type Credentials,
} from './corpus-context.js';
import type { ClientChoice, CorpusCase } from './corpus-types.js';

const CORPUS: readonly CorpusCase[] = [...API_CASES, ...PEER_CASES];

/** Citizen data the corpus sends (sample people, and the ID numbers the cases put in): never in clear in logs. */
const CITIZEN_STRINGS = [
  '徐明',
  '王丽',
  '徐小雨',
  '徐雨',
  '330102199203150013',
  '330106199405201224',
  '13800000000',
  ...new Set(
    (
      readFileSync(join(import.meta.dirname, 'cases-api.ts'), 'utf8') +
      readFileSync(join(import.meta.dirname, 'cases-peer.ts'), 'utf8')
    ).match(/'(\d{17}[\dXx])'/g) ?? [],
  ),
].map((s) => s.replace(/'/g, ''));

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe(`bad-input corpus (${CORPUS.length} cases) against one running node pair`, () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let zj: DevNode;
  let ca: Buffer;
  let creds: Map<ClientChoice, Credentials>;
  let logFile: string;
  const memory = new Map<string, unknown>();
  const refused = new Set<string>();
  const accepted = new Set<string>();
  const timings = new Map<string, { cases: number; ms: number }>();
  let started = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-corpus-'));
    prefix = testPrefix('corpus');
    const pkiDir = join(dir, 'pki');
    await initDevPki({ outDir: pkiDir, members: [SENDER, RECEIVER, STRANGER], systems: [...DEV_SYSTEMS] });
    creds = await makeCorpusCredentials(pkiDir, join(dir, 'corpus-certs'));
    ca = readFileSync(join(pkiDir, 'root-ca.crt'));
    // Debug level, so that every line the nodes could log is there to be searched afterwards.
    logFile = join(dir, 'nodes.log');
    const logger = pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }));
    net = await startDevNetwork({
      dir,
      members: [SENDER, RECEIVER],
      redisUrl: REDIS_URL,
      prefix,
      pkiDir,
      logger,
    });
    sh = net.nodes.get(SENDER)!;
    zj = net.nodes.get(RECEIVER)!;
    started = Date.now();
  });

  afterAll(async () => {
    const total = Date.now() - started;
    const rows = [...timings].map(([group, t]) => ({ group, cases: t.cases, ms: t.ms }));
    rows.push({ group: 'total (incl. final checks)', cases: CORPUS.length, ms: total });
    console.table(rows);
    await net?.close();
    await dropPrefix(prefix);
    if (process.env.CORPUS_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  });

  it.each(CORPUS.map((k) => [k.name, k] as const))('%s', async (_name, k) => {
    const t0 = Date.now();
    const c = createCorpusContext(join(dir, 'pki'), memory);
    const r = k.request;
    const body = await requestBody(r, c);
    const base = r.port === 'api' ? sh.urls.api : zj.urls.peer;
    const path = r.path ?? (r.port === 'api' ? '/v1/packets' : '/v1/peer/packets');
    const client = r.client ?? (r.port === 'api' ? 'population' : 'sender-node');
    const contentType = r.contentType === undefined ? (body ? 'application/json' : null) : r.contentType;
    const answer = await send(base + path, ca, creds.get(client)!, r.method ?? 'POST', body, contentType);

    for (const id of c.created) (k.expect.status >= 400 ? refused : accepted).add(id);
    const group = k.name.split(':')[0]!.replace(/ \(.*\)$/, '');
    const t = timings.get(`${r.port} ${group}`) ?? { cases: 0, ms: 0 };
    timings.set(`${r.port} ${group}`, { cases: t.cases + 1, ms: t.ms + Date.now() - t0 });

    const codes =
      k.expect.code === undefined
        ? undefined
        : typeof k.expect.code === 'string'
          ? [k.expect.code]
          : k.expect.code;
    expect(
      { status: answer.status, code: codes ? answer.json.code : undefined },
      answer.text.slice(0, 300),
    ).toEqual({
      status: k.expect.status,
      code: codes ? expect.toBeOneOf([...codes]) : undefined,
    });
    if (answer.status >= 400) {
      // One body shape, and never parser internals or a stack trace.
      expect(Object.keys(answer.json).sort()).toEqual(['code', 'details', 'message']);
      expect(answer.text).not.toMatch(
        /node_modules|\.js:\d|\bat [A-Za-z.<>]+ \(|SyntaxError|TypeError|RangeError/,
      );
    }
    k.check?.(answer, c);
  });

  it('still serves afterwards: a valid packet is accepted and delivered', async () => {
    const c = createCorpusContext(join(dir, 'pki'), memory);
    const p = c.packet();
    const r = await sh.client.call('POST', '/v1/packets', p);
    expect(r.status).toBe(202);
    accepted.add(p.id);
    await waitFor(
      async () => ((await zj.node.ctx.store.inbox('population', 1000)).includes(p.id) ? true : undefined),
      20_000,
    );
  });

  it('stored nothing it refused, and every accepted packet exactly once', async () => {
    const stored: string[] = [];
    for (const id of refused) {
      if ((await sh.node.ctx.store.get(id)) || (await zj.node.ctx.store.get(id))) stored.push(id);
    }
    expect(stored).toEqual([]);
    const inbox = await zj.node.ctx.store.inbox('population', 1000);
    const fromPeerCases = [...accepted].filter((id) => inbox.includes(id));
    // Packets accepted on the API travel to 浙江 too; envelopes delivered on the peer port land there directly.
    await waitFor(async () => {
      const now = await zj.node.ctx.store.inbox('population', 1000);
      return [...accepted].every((id) => now.includes(id)) ? true : undefined;
    }, 20_000);
    expect(fromPeerCases.length).toBeGreaterThan(0);
    expect(new Set(inbox).size).toBe(inbox.length);
  });

  it('left no citizen name or ID number in clear in the exchange logs or the process log', () => {
    const files = [...filesUnder(join(dir, 'data')), logFile];
    const hits: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const s of CITIZEN_STRINGS) if (text.includes(s)) hits.push(`${f.slice(dir.length)}: ${s}`);
    }
    expect(files.some((f) => /exchange-.*\.jsonl$/.test(f))).toBe(true);
    expect(readFileSync(logFile, 'utf8').length).toBeGreaterThan(0);
    expect(CITIZEN_STRINGS.length).toBeGreaterThan(10);
    expect(hits).toEqual([]);
  });
});
