import { describe, expect, it } from 'vitest';
import {
  makeSeal,
  renderResidentRegistration,
  SEAL_TYPE,
  sealDocument,
  signDocument,
  verifySealedDocuments,
  type SealedDocument,
} from '../../src/seal/index.js';
import { intlWorld, NOW, REGISTRATION, smWorld, unitSeal, unitSealOptions } from './fixtures.js';

const world = smWorld();
const seal = unitSeal(world);
const pdf = renderResidentRegistration(REGISTRATION);
const opts = { now: NOW, trustedMakerCerts: [world.root.certDer] };

function sealed(): SealedDocument {
  return sealDocument({
    kind: 'resident-registration',
    mediaType: 'application/pdf',
    content: pdf,
    suite: 'sm',
    unit: { seal, signer: world.unitSigner },
    officer: { seal, signer: world.officer },
    time: NOW,
  });
}

describe('sealed documents', () => {
  it('seal with the unit seal and the officer signature, then verify (also after JSON)', () => {
    const doc = sealed();
    expect(doc.seals.map((s) => s.role)).toEqual(['unit', 'officer']);
    expect(Buffer.from(doc.contentBase64, 'base64').equals(pdf)).toBe(true);
    const v = verifySealedDocuments([JSON.parse(JSON.stringify(doc)) as SealedDocument], opts);
    expect(v.valid).toBe(true);
    expect(v.checks.map((c) => [c.role, c.result.valid && c.result.signerSubject])).toEqual([
      ['unit', 'O=Tongban Test, CN=贵阳市公安局南明分局 单位签章'],
      ['officer', 'O=Tongban Test, CN=520000 承办人 张警官'],
    ]);
  });

  it("accepts the officer's personal seal", () => {
    const personal = makeSeal(
      unitSealOptions(world, {
        esID: '52010200000099',
        name: '张警官',
        type: SEAL_TYPE.personal,
        signerCerts: [world.officer.certDer],
      }),
    );
    const doc = sealDocument({
      kind: 'household-page',
      mediaType: 'application/pdf',
      content: pdf,
      suite: 'sm',
      unit: { seal, signer: world.unitSigner },
      officer: { seal: personal, signer: world.officer },
      time: NOW,
    });
    expect(verifySealedDocuments([doc], opts).valid).toBe(true);
  });

  it('refuses a personal seal as the unit seal, when sealing and when verifying', () => {
    const personal = makeSeal(unitSealOptions(world, { type: SEAL_TYPE.personal }));
    expect(() =>
      sealDocument({
        kind: 'resident-registration',
        mediaType: 'application/pdf',
        content: pdf,
        suite: 'sm',
        unit: { seal: personal, signer: world.unitSigner },
      }),
    ).toThrow(expect.objectContaining({ code: 'GW_ERR_SEAL_ROLE' }));
    const doc = sealed();
    doc.seals[0]!.signatureBase64 = signDocument(pdf, personal, world.unitSigner, {
      time: NOW,
      propertyInfo: 'resident-registration;application/pdf',
    }).toString('base64');
    const v = verifySealedDocuments([doc], opts);
    expect(v.valid ? 'valid' : [v.failure.reason, v.failure.role]).toEqual(['seal-role', 'unit']);
  });

  const failures: Array<{
    name: string;
    change: (d: SealedDocument) => void;
    reason: string;
    role?: string;
  }> = [
    {
      name: 'content changed',
      change: (d) => (d.contentBase64 = Buffer.concat([pdf, Buffer.from(' ')]).toString('base64')),
      reason: 'document-digest',
      role: 'unit',
    },
    {
      name: 'kind relabelled',
      change: (d) => (d.kind = 'household-page'),
      reason: 'document-digest',
      role: 'unit',
    },
    { name: 'suite mislabelled', change: (d) => (d.suite = 'intl'), reason: 'malformed', role: 'unit' },
    {
      name: 'officer signature missing',
      change: (d) => d.seals.pop(),
      reason: 'seal-missing',
      role: 'officer',
    },
    { name: 'unit seal missing', change: (d) => d.seals.shift(), reason: 'seal-missing', role: 'unit' },
    {
      name: 'unit seal twice',
      change: (d) => d.seals.push({ ...d.seals[0]! }),
      reason: 'malformed',
      role: 'unit',
    },
    { name: 'content not base64', change: (d) => (d.contentBase64 = '%%%'), reason: 'malformed' },
    {
      name: 'signature not base64',
      change: (d) => (d.seals[1]!.signatureBase64 = 'not base64!'),
      reason: 'malformed',
      role: 'officer',
    },
  ];
  it.each(failures)('$name → $reason', ({ change, reason, role }) => {
    const doc = sealed();
    change(doc);
    const v = verifySealedDocuments([doc], opts);
    expect(v.valid).toBe(false);
    if (!v.valid) expect([v.failure.reason, v.failure.role]).toEqual([reason, role]);
  });

  it('lets a caller waive the officer signature', () => {
    const doc = sealed();
    doc.seals.pop();
    expect(verifySealedDocuments([doc], { ...opts, requireOfficer: false }).valid).toBe(true);
  });

  it('works the same with the intl suite', () => {
    const w = intlWorld();
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const intlSeal = makeSeal(
      unitSealOptions(world, {
        maker: w.maker,
        signerCerts: [w.signer.certDer],
        createDate: now,
        validStart: now,
      }),
    );
    const doc = sealDocument({
      kind: 'acceptance-receipt',
      mediaType: 'application/json',
      content: Buffer.from('{"caseId":"x"}'),
      suite: 'intl',
      unit: { seal: intlSeal, signer: w.signer },
      officer: { seal: intlSeal, signer: w.signer },
      time: now,
    });
    const v = verifySealedDocuments([doc], { now, trustedMakerCerts: [w.root.certDer] });
    expect(v.valid).toBe(true);
    expect(v.checks.every((c) => c.result.valid && c.result.suite === 'intl')).toBe(true);
  });
});
