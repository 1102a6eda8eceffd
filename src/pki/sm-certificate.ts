import type { KeyObject } from 'node:crypto';
import { GatewayError } from '../errors.js';
import type { IntlCertRequest } from './intl-certificate.js';

/**
 * The SM2 side of the development PKI, delegated to the SM suite (standard SM2 with the
 * default ID and SM3, GB/T 32918 / GM/T 0015) — never Node's `crypto.sign`, which does not
 * produce standard SM2 signatures. The request shape is the same as for intl certificates,
 * minus subjectAltNames (SM certificates are for message-level protection, not TLS).
 */
export type SmCertRequest = Omit<IntlCertRequest, 'subjectAltNames'>;

type SmModule = typeof import('../crypto/sm/index.js');

/**
 * The SM suite is loaded on first use, so that the file helpers of this folder (which the
 * config loader needs) do not pull in the SM2 implementation.
 */
async function smModule(): Promise<SmModule> {
  try {
    return await import('../crypto/sm/index.js');
  } catch (err) {
    throw new GatewayError('GW_ERR_INTERNAL', 'The SM crypto suite could not be loaded', [], { cause: err });
  }
}

/** A fresh SM2 key pair from the SM suite. */
export async function generateSmKeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return (await smModule()).generateSm2KeyPair();
}

/** Issue an SM2-with-SM3 certificate (DER) through the SM suite. */
export async function issueSmCertificate(req: SmCertRequest): Promise<Buffer> {
  return (await smModule()).issueSm2Certificate({
    subject: { ...req.subject },
    serialNumber: req.serialNumber,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    isCa: req.isCa,
    keyUsage: [...req.keyUsage],
    extKeyUsage: req.extKeyUsage ? [...req.extKeyUsage] : undefined,
    publicKey: req.publicKey,
    issuer: req.issuer ? { certDer: req.issuer.certDer, privateKey: req.issuer.privateKey } : undefined,
    subjectPrivateKeyForSelfSigned: req.subjectPrivateKeyForSelfSigned,
  });
}
