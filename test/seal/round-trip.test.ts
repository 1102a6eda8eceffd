import { describe, expect, it } from 'vitest';
import { signDocument, verifySealedDocument } from '../../src/seal/index.js';
import { NOW, smWorld, unitSeal } from './fixtures.js';

describe('SM seal round trip', () => {
  const world = smWorld();
  const seal = unitSeal(world);
  const doc = Buffer.from('%PDF-1.7 常住人口登记表 徐小雨');

  it('makes a seal, signs a document and verifies it', () => {
    const sig = signDocument(doc, seal, world.officer, {
      time: NOW,
      propertyInfo: 'resident-registration;application/pdf',
    });
    const v = verifySealedDocument(doc, sig, { now: NOW, trustedMakerCerts: [world.root.certDer] });
    expect(v).toEqual({
      valid: true,
      suite: 'sm',
      sealName: '贵阳市公安局南明分局户籍专用章',
      esID: '52010200000001',
      sealType: 1,
      signerSubject: 'O=Tongban Test, CN=520000 承办人 张警官',
      makerSubject: 'O=Tongban Test, CN=520000 电子印章制章者',
      signedAt: NOW,
      propertyInfo: 'resident-registration;application/pdf',
      makerTrusted: true,
    });
  });
});
