import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSeal, signDocumentIntl, verifySealedDocument } from '../../src/seal/index.js';
import { openssl } from '../crypto/intl/openssl-pki.js';
import { intlWorld, smWorld, unitSealOptions } from './fixtures.js';

describe('intl seal (CMS SignedData with seal attributes)', () => {
  const w = intlWorld();
  const sm = smWorld();
  // openssl's certificates start "now", so this seal and its signatures do too.
  const now = new Date();
  const seal = makeSeal(unitSealOptions(sm, { maker: w.maker, signerCerts: [w.signer.certDer], createDate: now, validStart: now }));
  const doc = Buffer.from('常住人口登记表 — intl partner copy\n');

  it('is accepted by openssl cms -verify with the document as detached content', () => {
    const cms = signDocumentIntl(doc, seal, w.signer, { time: now, propertyInfo: 'resident-registration;application/pdf' });
    const sigPath = join(w.dir, 'doc.p7s');
    const docPath = join(w.dir, 'doc.bin');
    writeFileSync(sigPath, cms);
    writeFileSync(docPath, doc);
    const out = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', docPath, '-CAfile', w.root.certPath]);
    expect(out.equals(doc)).toBe(true);
    const v = verifySealedDocument(doc, cms, { now, trustedMakerCerts: [w.root.certDer] });
    expect(v, JSON.stringify(v)).toMatchObject({ valid: true, suite: 'intl', esID: '52010200000001', makerTrusted: true });
  });
});
