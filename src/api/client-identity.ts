import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { GatewayError } from '../errors.js';

/** The verified TLS client certificate of a request. */
export interface ClientCertificate {
  readonly der: Buffer;
  /** SHA-256 of the DER, lower-case hex. */
  readonly fingerprint: string;
  readonly subject: string;
}

/**
 * Read the client certificate of an mTLS connection. The servers request a certificate but do
 * not reject the handshake themselves (`rejectUnauthorized: false`), so that a caller without one
 * or with one from an unknown CA gets our coded error body instead of a bare TLS alert.
 */
export function clientCertificate(socket: TLSSocket, status?: (der: Buffer) => void): ClientCertificate {
  const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  if (!cert || !cert.raw) throw new GatewayError('GW_ERR_AUTH_NO_CLIENT_CERT');
  if (!socket.authorized) {
    // OpenSSL checked the validity period already; say so with its own code.
    const reason = String(socket.authorizationError);
    if (reason === 'CERT_HAS_EXPIRED' || reason === 'CERT_NOT_YET_VALID') {
      throw new GatewayError('GW_ERR_AUTH_CERT_EXPIRED', `client certificate is not valid now (${reason})`);
    }
    if (reason === 'CERT_REVOKED') throw new GatewayError('GW_ERR_AUTH_CERT_REVOKED');
    throw new GatewayError('GW_ERR_AUTH_UNTRUSTED_CERT', `client certificate is not trusted (${String(socket.authorizationError)})`);
  }
  status?.(cert.raw);
  return {
    der: cert.raw,
    fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
    subject: typeof cert.subject?.CN === 'string' ? cert.subject.CN : '',
  };
}
