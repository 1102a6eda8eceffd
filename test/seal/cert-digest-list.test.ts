import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { describe, expect, it } from 'vitest';
import { getSm2 } from '../../src/crypto/sm/index.js';
import {
  CertDigestList,
  CertDigestObj,
  describeSealFile,
  SESeal,
  signDocument,
  verifySealedDocument,
} from '../../src/seal/index.js';
import { forgeSesSignature } from './forge.js';
import { NOW, smWorld, unitSeal } from './fixtures.js';

const ab = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;

describe('seals whose signer list is certListType 2 (certificate digests)', () => {
  const world = smWorld();
  // What another vendor's seal system may write: SM3 digests instead of whole certificates.
  const seal = AsnConvert.parse(unitSeal(world), SESeal);
  const property = seal.eSealInfo.property;
  property.certListType = 2;
  property.certList = AsnConvert.serialize(
    new CertDigestList([
      new CertDigestObj({ type: 'sm3', value: ab(createHash('sm3').update(world.officer.certDer).digest()) }),
    ]),
  );
  seal.signedValue = ab(
    getSm2().sign(Buffer.from(AsnConvert.serialize(seal.eSealInfo)), world.maker.privateKey),
  );
  const der = Buffer.from(AsnConvert.serialize(seal));
  const doc = Buffer.from('doc');
  const trust = { now: NOW, trustedMakerCerts: [world.root.certDer] };

  it('lets a listed signer sign and verifies', () => {
    const sig = signDocument(doc, der, world.officer, { time: NOW });
    expect(verifySealedDocument(doc, sig, trust)).toMatchObject({ valid: true, esID: '52010200000001' });
    expect(describeSealFile(der).seal.signers).toEqual([
      `sm3:${createHash('sm3').update(world.officer.certDer).digest('hex')}`,
    ]);
  });

  it('refuses an unlisted signer', () => {
    expect(() => signDocument(doc, der, world.unitSigner, { time: NOW })).toThrow(
      expect.objectContaining({ code: 'GW_ERR_SEAL_SIGNER_NOT_IN_SEAL' }),
    );
    const v = verifySealedDocument(doc, forgeSesSignature(doc, der, world.unitSigner, NOW), trust);
    expect(v.valid ? 'valid' : v.reason).toBe('signer-not-in-seal');
  });
});
