import { describe, expect, it } from 'vitest';
import { verifyDocuments } from '../../src/node/seal-inbound.js';
import type { SealMaterial } from '../../src/node/seal-material.js';
import { renderResidentRegistration, sealDocument, type SealedDocument } from '../../src/seal/index.js';
import { NOW, REGISTRATION, smIdentity, smWorld, unitSeal } from '../seal/fixtures.js';

const world = smWorld();
const seal = unitSeal(world);
const pdf = renderResidentRegistration(REGISTRATION);
const doc = (withOfficer = true): SealedDocument =>
  sealDocument({
    kind: 'resident-registration',
    mediaType: 'application/pdf',
    content: pdf,
    suite: 'sm',
    unit: { seal, signer: world.unitSigner },
    ...(withOfficer ? { officer: { seal, signer: world.officer } } : {}),
    time: NOW,
  });
const trusting = (root: Buffer): SealMaterial => ({ trustedMakers: [root], seals: [] });

describe('verdicts on received sealed documents', () => {
  it('names the seal and the 承办人 of a valid document, and whether the maker is trusted', () => {
    const [trusted] = verifyDocuments([doc()], trusting(world.root.certDer));
    expect(trusted).toMatchObject({
      index: 0,
      kind: 'resident-registration',
      valid: true,
      sealName: '贵阳市公安局南明分局户籍专用章',
      esID: '52010200000001',
      signer: 'O=Tongban Test, CN=520000 承办人 张警官',
      unitSigner: 'O=Tongban Test, CN=贵阳市公安局南明分局 单位签章',
      signedAt: NOW.toISOString(),
      makerTrusted: true,
    });
    // Without a trust anchor the seal is only self-consistent, and the verdict says so.
    expect(verifyDocuments([doc()], undefined)[0]).toMatchObject({ valid: true, makerTrusted: false });
  });

  it('flags each bad document on its own, with the coded reason', () => {
    const tampered = doc();
    const bytes = Buffer.from(tampered.contentBase64, 'base64');
    bytes[bytes.length - 10] ^= 1;
    const verdicts = verifyDocuments(
      [{ ...tampered, contentBase64: bytes.toString('base64') }, doc(false), doc()],
      trusting(world.root.certDer),
    );
    expect(verdicts.map((v) => [v.index, v.valid, v.reason, v.code])).toEqual([
      [0, false, 'document-digest', 'GW_ERR_SEAL_DOCUMENT_DIGEST'],
      [1, false, 'seal-missing', 'GW_ERR_SEAL_MISSING'],
      [2, true, undefined, undefined],
    ]);
    const otherRoot = smIdentity('Some Other Root');
    expect(verifyDocuments([doc()], trusting(otherRoot.certDer))[0]).toMatchObject({
      valid: false,
      reason: 'untrusted-maker',
      code: 'GW_ERR_SEAL_UNTRUSTED_MAKER',
    });
  });
});
