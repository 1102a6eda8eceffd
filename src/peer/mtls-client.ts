import { Agent, request } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/** Options of an mTLS HTTP client. */
export interface MtlsClientOptions {
  /** CA certificates (PEM) trusted for the server. */
  readonly ca: readonly string[];
  /** Our client certificate and key (PEM). */
  readonly cert: string;
  readonly key: string;
  /**
   * When set, the server must present exactly this certificate (DER). Peers are pinned: a
   * certificate from the same CA but for another member must not be accepted.
   */
  readonly pinnedCertDer?: Buffer;
  /** Per-request timeout. Default 15 s. */
  readonly timeoutMs?: number;
}

/** An answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/** A small keep-alive HTTPS client that presents a client certificate. */
export interface MtlsClient {
  request(method: 'GET' | 'POST', url: string, body?: Buffer, contentType?: string): Promise<HttpAnswer>;
  post(url: string, body: Buffer, contentType: string): Promise<HttpAnswer>;
  close(): void;
}

/** Largest answer we read from a peer or system; receipts are a few KiB. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Create an mTLS client. */
export function createMtlsClient(opts: MtlsClientOptions): MtlsClient {
  const pinned = opts.pinnedCertDer;
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: [...opts.ca],
    cert: opts.cert,
    key: opts.key,
    checkServerIdentity: (host: string, cert: PeerCertificate): Error | undefined => {
      if (pinned) {
        return cert.raw && Buffer.compare(cert.raw, pinned) === 0
          ? undefined
          : new Error(`server certificate is not the pinned one (${new X509Certificate(cert.raw).subject})`);
      }
      return checkServerIdentity(host, cert);
    },
  });
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const send = (
    method: 'GET' | 'POST',
    url: string,
    body?: Buffer,
    contentType?: string,
  ): Promise<HttpAnswer> =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (body) {
        headers['content-length'] = body.length;
        if (contentType) headers['content-type'] = contentType;
      }
      const req = request(url, { method, agent, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new Error('answer too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  return {
    request: send,
    post: (url, body, contentType) => send('POST', url, body, contentType),
    close() {
      agent.destroy();
    },
  };
}
