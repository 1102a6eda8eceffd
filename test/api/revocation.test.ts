import { createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  Certificate,
  CertificateList,
  RevokedCertificate,
  TBSCertList,
  Time,
  Version,
} from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startDevNetwork, type DevNode } from '../../src/demo/index.js';
import { EKU, generateEcP256KeyPair, issueIntlCertificate, loadCertDer } from '../../src/pki/index.js';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis.js';

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';

/** A CRL (PEM) signed by the development root CA, listing the serials of `revoked` certificate files. */
function makeCrl(pkiDir: string, revoked: readonly string[], opts: { corrupt?: boolean } = {}): string {
  const root = AsnConvert.parse(loadCertDer(join(pkiDir, 'root-ca.crt')), Certificate);
  const now = new Date();
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: new AlgorithmIdentifier({ algorithm: ECDSA_SHA256 }),
    issuer: root.tbsCertificate.subject,
    thisUpdate: new Time(now),
    nextUpdate: new Time(new Date(now.getTime() + 86_400_000)),
    revokedCertificates: revoked.length
      ? revoked.map(
          (f) =>
            new RevokedCertificate({
              userCertificate: AsnConvert.parse(loadCertDer(f), Certificate).tbsCertificate.serialNumber,
              revocationDate: new Time(now),
            }),
        )
      : undefined,
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, createPrivateKey(readFileSync(join(pkiDir, 'root-ca.key'))));
  const crl = new CertificateList({
    tbsCertList: tbs,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: ECDSA_SHA256 }),
    signature: new Uint8Array(signature).buffer,
  });
  const der = Buffer.from(AsnConvert.serialize(crl));
  // A flipped last byte changes the signature's s value: the CRL still parses but no longer verifies.
  if (opts.corrupt) der[der.length - 1]! ^= 0x01;
  const b64 = der.toString('base64');
  return `-----BEGIN X509 CRL-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END X509 CRL-----\n`;
}

/** An mTLS GET with the given client certificate files; returns status and error code. */
function get(
  url: string,
  ca: string,
  cert: Buffer | string,
  key: Buffer | string,
): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: readFileSync(ca), cert, key, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { code?: string }).code;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, code });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('certificate revocation (CRL) and expiry at the identity step', () => {
  let dir: string;
  let prefix: string;
  let net: Awaited<ReturnType<typeof startDevNetwork>>;
  let sh: DevNode;
  let pki: string;
  let crlFile: string;
  const system = (name: string) => ({
    cert: readFileSync(join(pki, '310000', `system-${name}.crt`)),
    key: readFileSync(join(pki, '310000', `system-${name}.key`)),
  });
  const asSystem = (name: string) =>
    get(`${sh.urls.api}/v1/inbox`, join(pki, 'root-ca.crt'), system(name).cert, system(name).key);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-crl-'));
    prefix = testPrefix('crl');
    net = await startDevNetwork({ dir, members: ['310000', '330000'], redisUrl: REDIS_URL, prefix });
    sh = net.nodes.get('310000')!;
    pki = net.pkiDir;
    crlFile = join(dir, 'root.crl.pem');
  });
  afterAll(async () => {
    await net?.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a client certificate listed in a CRL added by a config reload, others still pass', async () => {
    expect((await asSystem('window')).status).toBe(200);
    writeFileSync(crlFile, makeCrl(pki, [join(pki, '310000', 'system-window.crt')]));
    const raw = parse(readFileSync(sh.configPath, 'utf8')) as { tls: Record<string, unknown> };
    raw.tls.crl = [crlFile];
    writeFileSync(sh.configPath, stringify(raw));
    const r = await sh.node.reload('admin:test');
    expect(r.ok, r.message).toBe(true);
    expect(await asSystem('window')).toEqual({ status: 401, code: 'GW_ERR_AUTH_CERT_REVOKED' });
    expect((await asSystem('population')).status).toBe(200);
  });

  it('picks up a changed CRL file without a reload, and keeps the old list when the new file is broken', async () => {
    writeFileSync(
      crlFile,
      makeCrl(pki, [join(pki, '310000', 'system-window.crt'), join(pki, '310000', 'system-population.crt')]),
    );
    let seen: { status: number; code?: string } | undefined;
    for (let i = 0; i < 40 && seen?.status !== 401; i++) {
      await new Promise((res) => setTimeout(res, 200));
      seen = await asSystem('population');
    }
    expect(seen).toEqual({ status: 401, code: 'GW_ERR_AUTH_CERT_REVOKED' });

    writeFileSync(crlFile, '-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n');
    await new Promise((res) => setTimeout(res, 3000)); // past one poll of the file
    expect(await asSystem('population')).toEqual({ status: 401, code: 'GW_ERR_AUTH_CERT_REVOKED' });
    expect((await asSystem('window')).code).toBe('GW_ERR_AUTH_CERT_REVOKED');
  });

  it("refuses a revoked peer's TLS certificate on the peer port", async () => {
    const peerCert = join(pki, '330000', 'node-tls.crt');
    const asPeer = () =>
      get(
        `${sh.urls.peer}/v1/peer/packets`,
        join(pki, 'root-ca.crt'),
        readFileSync(peerCert),
        readFileSync(join(pki, '330000', 'node-tls.key')),
      );
    expect((await asPeer()).code).toBe('GW_ERR_API_NOT_FOUND'); // identified; GET is just not a route
    writeFileSync(crlFile, makeCrl(pki, [peerCert]));
    let seen: { status: number; code?: string } | undefined;
    for (let i = 0; i < 40 && seen?.code !== 'GW_ERR_AUTH_CERT_REVOKED'; i++) {
      await new Promise((res) => setTimeout(res, 200));
      seen = await asPeer();
    }
    expect(seen).toEqual({ status: 401, code: 'GW_ERR_AUTH_CERT_REVOKED' });
    expect((await asSystem('population')).status).toBe(200); // no longer listed
  });

  it('refuses an expired client certificate from a trusted CA with its own code', async () => {
    const keys = await generateEcP256KeyPair();
    const rootDer = loadCertDer(join(pki, 'root-ca.crt'));
    const der = issueIntlCertificate({
      subject: { commonName: 'expired window system' },
      notBefore: new Date(Date.now() - 30 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
      isCa: false,
      keyUsage: ['digitalSignature'],
      extKeyUsage: [EKU.clientAuth],
      publicKey: keys.publicKey,
      issuer: { certDer: rootDer, privateKey: createPrivateKey(readFileSync(join(pki, 'root-ca.key'))) },
    });
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const keyPem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(await get(`${sh.urls.api}/v1/inbox`, join(pki, 'root-ca.crt'), pem, keyPem)).toEqual({
      status: 401,
      code: 'GW_ERR_AUTH_CERT_EXPIRED',
    });
  });

  it('refuses a reload naming a CRL that is not signed by a configured CA, and keeps serving', async () => {
    const bogus = join(dir, 'bogus.crl.pem');
    writeFileSync(bogus, makeCrl(pki, [], { corrupt: true }));
    const raw = parse(readFileSync(sh.configPath, 'utf8')) as { tls: Record<string, unknown> };
    raw.tls.crl = [bogus];
    writeFileSync(sh.configPath, stringify(raw));
    const r = await sh.node.reload('admin:test');
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/CRL/);
    expect((await asSystem('population')).status).toBe(200);
  });
});
