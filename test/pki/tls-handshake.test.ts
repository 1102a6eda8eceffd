import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DevPkiLayout,
  EKU,
  generateEcP256KeyPair,
  initDevPki,
  issueIntlCertificate,
} from '../../src/pki/index.js';
import { certificatePem } from '../../src/pki/pem.js';

let dir: string;
let pki: DevPkiLayout;
let server: tls.Server;
let port: number;
const serverSeen: string[] = [];
const clientErrors: string[] = [];

function read(path: string): string {
  return readFileSync(path, 'latin1');
}

/** Connect, send "ping", and resolve with what the server answered or the error the client saw. */
function exchange(options: tls.ConnectionOptions): Promise<{ answer?: string; error?: string }> {
  return new Promise((resolvePromise) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options });
    let answer = '';
    socket.on('secureConnect', () => socket.write('ping'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      socket.end();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolvePromise({ error: err.code ?? err.message }));
    socket.on('close', () => resolvePromise(answer ? { answer } : { error: 'closed without an answer' }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pki-tls-'));
  pki = await initDevPki({ outDir: dir, members: ['520000'], systems: ['population'] });
  const member = pki.members['520000'];
  if (!member) throw new Error('member missing');
  server = tls.createServer(
    {
      cert: read(member.nodeTls.cert),
      key: read(member.nodeTls.key),
      ca: [read(pki.rootCa.cert)],
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket) => {
      serverSeen.push(String(socket.getPeerCertificate().subject?.CN));
      socket.on('data', () => socket.end('pong'));
    },
  );
  server.on('tlsClientError', (err: NodeJS.ErrnoException) => clientErrors.push(err.code ?? err.message));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(dir, { recursive: true, force: true });
});

describe('development PKI over real mTLS', () => {
  it('node-tls certificate as server and system certificate as client complete a handshake', async () => {
    const member = pki.members['520000'];
    const system = member?.systems.population;
    if (!member || !system) throw new Error('layout');
    // The client checks the server's IP SAN (127.0.0.1) against the dev root.
    const result = await exchange({
      ca: [read(pki.rootCa.cert)],
      cert: read(system.cert),
      key: read(system.key),
    });
    expect(result).toEqual({ answer: 'pong' });
    expect(serverSeen).toContain('520000-population');
    // And by name: the SAN carries localhost and gw-<member>.tongban.test.
    const byName = await exchange({
      ca: [read(pki.rootCa.cert)],
      cert: read(system.cert),
      key: read(system.key),
      servername: 'gw-520000.tongban.test',
    });
    expect(byName).toEqual({ answer: 'pong' });
  });

  it('refuses a client certificate from a different root', async () => {
    const now = Date.now();
    const rootKeys = await generateEcP256KeyPair();
    const otherRoot = issueIntlCertificate({
      subject: { commonName: 'Some Other Root' },
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 86_400_000),
      isCa: true,
      keyUsage: ['keyCertSign', 'cRLSign'],
      publicKey: rootKeys.publicKey,
      subjectPrivateKeyForSelfSigned: rootKeys.privateKey,
    });
    const clientKeys = await generateEcP256KeyPair();
    // Same subject as a legitimate system: only the issuer differs.
    const impostor = issueIntlCertificate({
      subject: { commonName: '520000-population', organization: '520000' },
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 86_400_000),
      isCa: false,
      keyUsage: ['digitalSignature'],
      extKeyUsage: [EKU.clientAuth],
      publicKey: clientKeys.publicKey,
      issuer: { certDer: otherRoot, privateKey: rootKeys.privateKey },
    });
    const seenBefore = serverSeen.length;
    const errorsBefore = clientErrors.length;
    const result = await exchange({
      ca: [read(pki.rootCa.cert)],
      cert: certificatePem(impostor),
      key: clientKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }),
    });
    expect(result.answer).toBeUndefined();
    expect(serverSeen.length).toBe(seenBefore);
    expect(clientErrors.length).toBeGreaterThan(errorsBefore);
    // No client certificate at all is refused as well.
    const anonymous = await exchange({ ca: [read(pki.rootCa.cert)] });
    expect(anonymous.answer).toBeUndefined();
    expect(serverSeen.length).toBe(seenBefore);
  });

  it('the client refuses a server that the dev root did not issue', async () => {
    const system = pki.members['520000']?.systems.population;
    if (!system) throw new Error('layout');
    const keys = await generateEcP256KeyPair();
    const now = Date.now();
    const strangerRoot = issueIntlCertificate({
      subject: { commonName: 'Stranger' },
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 86_400_000),
      isCa: true,
      keyUsage: ['keyCertSign'],
      publicKey: keys.publicKey,
      subjectPrivateKeyForSelfSigned: keys.privateKey,
    });
    const result = await exchange({
      ca: [certificatePem(strangerRoot)],
      cert: read(system.cert),
      key: read(system.key),
    });
    // The server sends the dev root along with its certificate; either way it is not trusted.
    expect(result.error).toMatch(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)$/);
  });
});
