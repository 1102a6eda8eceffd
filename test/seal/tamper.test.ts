import { AsnConvert } from '@peculiar/asn1-schema';
import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import {
  drawSealPicture,
  SEAL_ERROR_CODES,
  sealError,
  SESeal,
  SesSignature,
  signDocument,
  verifySealedDocument,
  type SealFailureReason,
  type SealVerification,
} from '../../src/seal/index.js';
import { flipBit, forgeSesSignature } from './forge.js';
import { NOW, smIdentity, smWorld, unitSeal } from './fixtures.js';

const DAY = 86_400_000;
const world = smWorld();
const seal = unitSeal(world);
const doc = Buffer.from('常住人口登记表: 徐小雨 330102202611020028\n');
const good = signDocument(doc, seal, world.officer, { time: NOW });
const trust = { now: NOW, trustedMakerCerts: [world.root.certDer] };

function reasonOf(v: SealVerification): SealFailureReason | 'valid' {
  return v.valid ? 'valid' : v.reason;
}

/** Offset of `needle` inside `hay`. */
function indexOfOrFail(hay: Buffer, needle: Buffer): number {
  const at = hay.indexOf(needle);
  if (at < 0) throw new Error('needle not found');
  return at;
}

function expectThrowsCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (err) {
    expect(isGatewayError(err) ? err.code : err).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('SM seal verification: every tampering has its own reason', () => {
  const cases: Array<[string, () => SealVerification, SealFailureReason]> = [
    [
      'document changed one byte',
      () => verifySealedDocument(flipBit(doc, 5), good, trust),
      'document-digest',
    ],
    [
      'seal expired before the signing time',
      () => {
        const expired = unitSeal(world, {
          validStart: new Date(NOW.getTime() - 30 * DAY),
          validEnd: new Date(NOW.getTime() - DAY),
          createDate: new Date(NOW.getTime() - 30 * DAY),
        });
        return verifySealedDocument(doc, forgeSesSignature(doc, expired, world.officer, NOW), trust);
      },
      'seal-expired',
    ],
    [
      'signer not in the seal list',
      () => verifySealedDocument(doc, forgeSesSignature(doc, seal, world.outsider, NOW), trust),
      'signer-not-in-seal',
    ],
    [
      'maker signature broken',
      () => {
        // The maker's signedValue sits right before TBS_Sign.timeInfo; flip its last byte.
        const sig = AsnConvert.parse(good, SesSignature);
        const makerSig = Buffer.from(sig.toSign.eseal.signedValue);
        return verifySealedDocument(
          doc,
          flipBit(good, indexOfOrFail(good, makerSig) + makerSig.length - 1),
          trust,
        );
      },
      'maker-signature',
    ],
    [
      'signer signature broken',
      () => verifySealedDocument(doc, flipBit(good, good.length - 1), trust),
      'signer-signature',
    ],
    [
      'picture swapped',
      () => {
        const sig = AsnConvert.parse(good, SesSignature);
        sig.toSign.eseal.eSealInfo.picture.data = new Uint8Array(
          drawSealPicture({ color: [0, 0, 200] }),
        ).buffer;
        return verifySealedDocument(doc, Buffer.from(AsnConvert.serialize(sig)), trust);
      },
      'picture-swapped',
    ],
    [
      'signer certificate expired at the signing time',
      () => {
        const lapsed = smIdentity('承办人 (lapsed)', world.root, {
          notBefore: new Date(NOW.getTime() - 60 * DAY),
          notAfter: new Date(NOW.getTime() - DAY),
        });
        const s = unitSeal(world, { signerCerts: [lapsed.certDer] });
        return verifySealedDocument(doc, forgeSesSignature(doc, s, lapsed, NOW), trust);
      },
      'signer-cert-expired',
    ],
    [
      'maker not trusted',
      () => verifySealedDocument(doc, good, { now: NOW, trustedMakerCerts: [smWorld().root.certDer] }),
      'untrusted-maker',
    ],
    ['not DER at all', () => verifySealedDocument(doc, Buffer.from('not a seal'), trust), 'malformed'],
    ['truncated', () => verifySealedDocument(doc, good.subarray(0, good.length - 10), trust), 'malformed'],
    [
      'trailing bytes',
      () => verifySealedDocument(doc, Buffer.concat([good, Buffer.from([0])]), trust),
      'malformed',
    ],
  ];

  it('accepts the untouched signature', () => {
    expect(reasonOf(verifySealedDocument(doc, good, trust))).toBe('valid');
  });

  it.each(cases.map(([name, run, reason]) => ({ name, run, reason })))(
    '$name → $reason',
    ({ run, reason }) => {
      const v = run();
      expect(reasonOf(v)).toBe(reason);
      if (!v.valid) {
        const e = sealError(v);
        expect(e.code).toBe(SEAL_ERROR_CODES[reason]);
        expect(e.status).toBe(422);
        expect(e.permanent).toBe(true);
      }
    },
  );

  it('gives distinct reasons and codes for the six tamperings of the acceptance list', () => {
    const six = cases.slice(0, 6).map(([, run]) => reasonOf(run()));
    expect(new Set(six).size).toBe(6);
    expect(new Set(six.map((r) => SEAL_ERROR_CODES[r as SealFailureReason])).size).toBe(6);
  });

  it('calls a rewritten picture with a rewritten digest a broken maker signature', () => {
    const sig = AsnConvert.parse(good, SesSignature);
    const info = sig.toSign.eseal.eSealInfo;
    const other = drawSealPicture({ color: [0, 0, 200] });
    info.picture.data = new Uint8Array(other).buffer;
    // Rebuild the digest ExtData the way makeSeal does, so only the maker signature can tell.
    const original = unitSeal(world, { picture: { type: 'png', data: other, width: 40, height: 40 } });
    info.extDatas = AsnConvert.parse(original, SESeal).eSealInfo.extDatas;
    expect(reasonOf(verifySealedDocument(doc, Buffer.from(AsnConvert.serialize(sig)), trust))).toBe(
      'maker-signature',
    );
  });

  it('never throws, whatever the bytes', () => {
    for (let i = 0; i < good.length; i += 97) {
      const v = verifySealedDocument(doc, flipBit(good, i), trust);
      expect(v.valid).toBe(false);
    }
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from([0x30]),
      Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
    ]) {
      expect(reasonOf(verifySealedDocument(doc, junk))).toBe('malformed');
    }
  });

  it('signDocument refuses what the verifier would refuse', () => {
    expectThrowsCode(
      () => signDocument(doc, seal, world.outsider, { time: NOW }),
      'GW_ERR_SEAL_SIGNER_NOT_IN_SEAL',
    );
    expectThrowsCode(
      () => signDocument(doc, seal, world.officer, { time: new Date(NOW.getTime() + 400 * DAY) }),
      'GW_ERR_SEAL_EXPIRED',
    );
    expectThrowsCode(
      () =>
        signDocument(
          doc,
          seal,
          { certDer: world.officer.certDer, privateKey: world.outsider.privateKey },
          { time: NOW },
        ),
      'GW_ERR_CRYPTO_KEY',
    );
    const makerSig = Buffer.from(AsnConvert.parse(good, SesSignature).toSign.eseal.signedValue);
    const broken = flipBit(seal, indexOfOrFail(seal, makerSig) + makerSig.length - 1);
    expectThrowsCode(
      () => signDocument(doc, broken, world.officer, { time: NOW }),
      'GW_ERR_SEAL_MAKER_SIGNATURE',
    );
    expectThrowsCode(
      () => signDocument(doc, Buffer.from('junk'), world.officer, { time: NOW }),
      'GW_ERR_SEAL_MALFORMED',
    );
  });
});
