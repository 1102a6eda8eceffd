import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { describe, expect, it } from 'vitest';
import {
  describeSealFile,
  makeSeal,
  SESeal,
  signDocument,
  signDocumentIntl,
  verifySealedDocument,
  type SealFailureReason,
  type SealVerification,
} from '../../src/seal/index.js';
import { encodeIntlSignature } from '../../src/seal/intl-seal.js';
import { decodeSeal } from '../../src/seal/read-seal.js';
import { openssl } from '../crypto/intl/openssl-pki.js';
import { flipBit } from './forge.js';
import { intlWorld, smWorld, unitSealOptions } from './fixtures.js';

const DAY = 86_400_000;
const reasonOf = (v: SealVerification): SealFailureReason | 'valid' => (v.valid ? 'valid' : v.reason);

describe('intl seal (CMS SignedData with seal attributes)', () => {
  const w = intlWorld();
  const sm = smWorld();
  // openssl's certificates start "now", so this seal and its signatures do too.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const sealOpts = unitSealOptions(sm, {
    maker: w.maker,
    signerCerts: [w.signer.certDer],
    createDate: now,
    validStart: now,
  });
  const seal = makeSeal(sealOpts);
  const doc = Buffer.from('常住人口登记表 — intl partner copy\n');
  const cms = signDocumentIntl(doc, seal, w.signer, {
    time: now,
    propertyInfo: 'resident-registration;application/pdf',
  });
  const trust = { now, trustedMakerCerts: [w.root.certDer] };
  const docPath = join(w.dir, 'doc.bin');
  writeFileSync(docPath, doc);

  function opensslVerify(signature: Buffer, content = docPath): Buffer {
    const sigPath = join(w.dir, 'doc.p7s');
    writeFileSync(sigPath, signature);
    return openssl([
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      sigPath,
      '-content',
      content,
      '-CAfile',
      w.root.certPath,
    ]);
  }

  it('is accepted by openssl cms -verify with the document as detached content', () => {
    expect(opensslVerify(cms).equals(doc)).toBe(true);
  });

  it('openssl shows the seal attributes among the signed attributes', () => {
    const sigPath = join(w.dir, 'print.p7s');
    writeFileSync(sigPath, cms);
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sigPath]).toString();
    expect(printed).toContain('2.25.316079192162558520442205422875565711497.2.4'); // the SESeal attribute
    expect(printed).toContain('52010200000001');
  });

  it('verifies with our verifier in the same result shape as an SES_Signature', () => {
    const v = verifySealedDocument(doc, cms, trust);
    expect(v).toEqual({
      valid: true,
      suite: 'intl',
      sealName: '贵阳市公安局南明分局户籍专用章',
      esID: '52010200000001',
      sealType: 1,
      signerSubject: 'CN=seal-signer',
      makerSubject: 'CN=seal-maker',
      signedAt: now,
      propertyInfo: 'resident-registration;application/pdf',
      makerTrusted: true,
    });
  });

  it('openssl refuses a changed document, and so do we (document-digest)', () => {
    const changedPath = join(w.dir, 'changed.bin');
    writeFileSync(changedPath, flipBit(doc, 3));
    expect(() => opensslVerify(cms, changedPath)).toThrow();
    expect(reasonOf(verifySealedDocument(flipBit(doc, 3), cms, trust))).toBe('document-digest');
  });

  const decoded = decodeSeal(seal);
  const cases: Array<{ name: string; run: () => SealVerification; reason: SealFailureReason }> = [
    {
      name: 'signer signature broken',
      run: () => verifySealedDocument(doc, flipBit(cms, cms.length - 1), trust),
      reason: 'signer-signature',
    },
    {
      name: 'maker signature broken',
      run: () => {
        const makerSig = Buffer.from(AsnConvert.parse(seal, SESeal).signedValue);
        return verifySealedDocument(doc, flipBit(cms, cms.indexOf(makerSig) + makerSig.length - 1), trust);
      },
      reason: 'maker-signature',
    },
    {
      name: 'picture swapped (a byte of the picture inside the seal attribute)',
      run: () => verifySealedDocument(doc, flipBit(cms, cms.indexOf(sm.picture) + 200), trust),
      reason: 'picture-swapped',
    },
    {
      name: 'signer not in the seal list',
      run: () => {
        const other = decodeSeal(makeSeal({ ...sealOpts, signerCerts: [w.maker.certDer] }));
        return verifySealedDocument(doc, encodeIntlSignature(doc, other, w.signer, now, 'document'), trust);
      },
      reason: 'signer-not-in-seal',
    },
    {
      name: 'seal expired before the signing time',
      run: () => {
        const late = new Date(sealOpts.validEnd.getTime() + DAY);
        return verifySealedDocument(doc, encodeIntlSignature(doc, decoded, w.signer, late, 'document'), {
          ...trust,
          now: late,
        });
      },
      reason: 'seal-expired',
    },
    {
      name: 'maker not trusted',
      run: () => verifySealedDocument(doc, cms, { now, trustedMakerCerts: [sm.root.certDer] }),
      reason: 'untrusted-maker',
    },
    {
      name: 'signing time in the future',
      run: () => verifySealedDocument(doc, cms, { now: new Date(now.getTime() - DAY) }),
      reason: 'malformed',
    },
  ];

  it.each(cases)('$name → $reason', ({ run, reason }) => {
    expect(reasonOf(run())).toBe(reason);
  });

  it('inspect reads the seal and the signer out of the CMS', () => {
    expect(describeSealFile(cms)).toMatchObject({
      format: 'CMS',
      seal: {
        esID: '52010200000001',
        makerSubject: 'CN=seal-maker',
        signAlgorithm: '1.2.840.10045.4.3.2',
        hasPictureDigest: true,
      },
      signature: {
        signerSubject: 'CN=seal-signer',
        signedAt: now,
        propertyInfo: 'resident-registration;application/pdf',
      },
    });
  });

  it('refuses SM keys in the intl seal and P-256 keys in an SES_Signature', () => {
    const smSeal = makeSeal(unitSealOptions(sm));
    expect(() => signDocumentIntl(doc, smSeal, sm.officer)).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM' }),
    );
    expect(() => signDocument(doc, seal, w.signer, { time: now })).toThrow(
      expect.objectContaining({ code: 'GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM' }),
    );
  });
});
