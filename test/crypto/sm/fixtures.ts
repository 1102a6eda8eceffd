import type { KeyedIdentity } from '../../../src/crypto/index.js';
import { generateSm2KeyPair, issueSm2Certificate } from '../../../src/crypto/sm/index.js';

/** A small SM2 PKI made at test time: a root and leaves for signing and encryption. */
export interface SmTestPki {
  readonly rootDer: Buffer;
  readonly root: KeyedIdentity;
  leaf(commonName: string, usage: 'sign' | 'encrypt'): KeyedIdentity;
}

/** Build a root CA and a leaf factory. */
export function makeSmPki(): SmTestPki {
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 365 * 86_400_000) };
  const rootKeys = generateSm2KeyPair();
  const rootDer = issueSm2Certificate({
    subject: { commonName: 'Tongban Test SM2 Root', organization: '测试根', country: 'CN' },
    ...validity,
    isCa: true,
    keyUsage: ['keyCertSign', 'cRLSign'],
    publicKey: rootKeys.publicKey,
    subjectPrivateKeyForSelfSigned: rootKeys.privateKey,
  });
  const root = { certDer: rootDer, privateKey: rootKeys.privateKey };
  return {
    rootDer,
    root,
    leaf(commonName, usage) {
      const keys = generateSm2KeyPair();
      const certDer = issueSm2Certificate({
        subject: { commonName, organization: '贵州省公安厅', country: 'CN' },
        ...validity,
        isCa: false,
        keyUsage:
          usage === 'sign' ? ['digitalSignature', 'nonRepudiation'] : ['keyEncipherment', 'dataEncipherment'],
        publicKey: keys.publicKey,
        issuer: root,
      });
      return { certDer, privateKey: keys.privateKey };
    },
  };
}
