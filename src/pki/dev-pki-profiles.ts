import { EKU, type KeyUsageName } from './intl-certificate.js';

/** Which key and issuer a certificate gets. */
export type KeyKind = 'ec-p256' | 'rsa-2048' | 'sm2';

/** One kind of certificate the development PKI issues for a member. */
export interface LeafProfile {
  /** File stem under `<out>/<member>/` and the manifest role. */
  readonly file: string;
  readonly suite: 'intl' | 'sm';
  readonly key: KeyKind;
  readonly commonName: string;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltNames?: ReadonlyArray<{ readonly type: 'dns' | 'ip'; readonly value: string }>;
}

/** Subject names of the two roots. */
export const ROOT_NAMES = {
  intl: 'Tongban Dev Root CA',
  sm: 'Tongban Dev SM2 Root CA',
  organization: 'Tongban Dev',
} as const;

/** The per-member certificates (DESIGN §6 `tongban certs init`), except system certificates. */
export function memberProfiles(member: string): LeafProfile[] {
  return [
    {
      file: 'node-tls',
      suite: 'intl',
      key: 'ec-p256',
      commonName: `gw-${member}`,
      // ECDHE-ECDSA needs only digitalSignature; the node is server on its ports and client
      // when it delivers to peers, so it gets both TLS purposes.
      keyUsage: ['digitalSignature'],
      extKeyUsage: [EKU.serverAuth, EKU.clientAuth],
      subjectAltNames: [
        { type: 'dns', value: 'localhost' },
        { type: 'dns', value: `gw-${member}.tongban.test` },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ],
    },
    // No EKU on the message-level certificates: `openssl cms -verify` checks the S/MIME
    // purpose, which an EKU without emailProtection would fail.
    {
      file: 'intl-signing',
      suite: 'intl',
      key: 'ec-p256',
      commonName: `${member} intl signing`,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
    },
    {
      file: 'intl-encryption',
      suite: 'intl',
      key: 'rsa-2048',
      commonName: `${member} intl encryption`,
      keyUsage: ['keyEncipherment'],
    },
    {
      file: 'sm-signing',
      suite: 'sm',
      key: 'sm2',
      commonName: `${member} SM2 signing`,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
    },
    {
      file: 'sm-encryption',
      suite: 'sm',
      key: 'sm2',
      commonName: `${member} SM2 encryption`,
      keyUsage: ['keyEncipherment', 'dataEncipherment'],
    },
    {
      // GB/T 38540 制章者: signs the seal (SESeal) itself.
      file: 'sm-seal-maker',
      suite: 'sm',
      key: 'sm2',
      commonName: `${member} 电子印章制章者`,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
    },
    {
      // GB/T 38540 签章人: the 承办人 who applies the seal to a decision document.
      file: 'sm-seal-signer',
      suite: 'sm',
      key: 'sm2',
      commonName: `${member} 承办人`,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
    },
    {
      // The same 承办人 for partners on the intl suite: a CMS seal signature needs ECDSA P-256.
      file: 'intl-seal-signer',
      suite: 'intl',
      key: 'ec-p256',
      commonName: `${member} 承办人 (intl)`,
      keyUsage: ['digitalSignature', 'nonRepudiation'],
    },
  ];
}

/** Client certificate of a local system (API port mTLS). */
export function systemProfile(member: string, system: string): LeafProfile {
  return {
    file: `system-${system}`,
    suite: 'intl',
    key: 'ec-p256',
    commonName: `${member}-${system}`,
    keyUsage: ['digitalSignature'],
    extKeyUsage: [EKU.clientAuth],
  };
}
