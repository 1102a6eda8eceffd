import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { sm2 as smc } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';
import { makeSeal, signDocument, SEAL_OID } from '../../src/seal/index.js';
import { NOW, smWorld, unitSealOptions } from './fixtures.js';

/**
 * The DER is decoded here by node-forge's ASN.1 parser and by `openssl asn1parse` — not by the
 * @peculiar/asn1-schema classes that wrote it — and both signatures are checked by sm-crypto-v2,
 * an SM2 implementation independent of ours.
 */
type Node = forge.asn1.Asn1;
const { Class, Type } = forge.asn1;

function parse(der: Buffer): Node {
  const opts = { strict: true, parseAllBytes: true, decodeBitStrings: false } as unknown as boolean;
  return forge.asn1.fromDer(der.toString('latin1'), opts);
}
const der = (n: Node): Buffer => Buffer.from(forge.asn1.toDer(n).getBytes(), 'latin1');
const bytes = (n: Node): Buffer => Buffer.from(n.value as string, 'latin1');
function kids(n: Node, type: number, count: number): Node[] {
  expect(n.tagClass).toBe(Class.UNIVERSAL);
  expect(n.type).toBe(type);
  const v = n.value as Node[];
  expect(v).toHaveLength(count);
  return v;
}
function prim(n: Node, type: number): Buffer {
  expect(n.tagClass).toBe(Class.UNIVERSAL);
  expect(n.type).toBe(type);
  expect(n.constructed).toBe(false);
  return bytes(n);
}
const int = (n: Node): number => forge.asn1.derToInteger(prim(n, Type.INTEGER).toString('latin1'));
const text = (n: Node, type: number): string =>
  prim(n, type).toString(type === Type.UTF8 ? 'utf8' : 'latin1');
const bits = (n: Node): Buffer => {
  const b = prim(n, Type.BITSTRING);
  expect(b[0]).toBe(0); // no unused bits
  return b.subarray(1);
};
/** OID content octets, encoded here with BigInt (2.25 arcs are beyond forge's numbers). */
function oidBytes(oid: string): Buffer {
  const arcs = oid.split('.').map(BigInt);
  const out: number[] = [];
  for (const arc of [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]) {
    const chunk = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return Buffer.from(out);
}
/** 04‖x‖y of an X.509 certificate's key, read by forge. */
function publicKeyHex(certDer: Buffer): string {
  const [tbs] = kids(parse(certDer), Type.SEQUENCE, 3);
  const fields = tbs!.value as Node[];
  const spki = fields[6]!; // [0] version, serial, sigalg, issuer, validity, subject, spki
  const [, key] = kids(spki, Type.SEQUENCE, 2);
  return bits(key!).toString('hex');
}
const gt = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

describe('SESeal and SES_Signature DER, decoded field by field independently', () => {
  const world = smWorld();
  const opts = unitSealOptions(world);
  const seal = makeSeal(opts);
  const doc = Buffer.from('户口簿个人信息页 徐小雨');
  const sig = signDocument(doc, seal, world.officer, {
    time: NOW,
    propertyInfo: 'household-page;application/pdf',
    timeStamp: Buffer.from('tst'),
  });

  it('SES_Signature → TBS_Sign → SESeal → SES_SealInfo', () => {
    const [tbs, cert, alg, signature, ts] = kids(parse(sig), Type.SEQUENCE, 5);
    const [version, eseal, timeInfo, dataHash, propertyInfo] = kids(tbs!, Type.SEQUENCE, 5);
    expect(int(version!)).toBe(4);
    expect(text(timeInfo!, Type.GENERALIZEDTIME)).toBe(gt(NOW));
    expect(bits(dataHash!).equals(createHash('sm3').update(doc).digest())).toBe(true);
    expect(text(propertyInfo!, Type.IA5STRING)).toBe('household-page;application/pdf');
    expect(prim(cert!, Type.OCTETSTRING).equals(world.officer.certDer)).toBe(true);
    expect(forge.asn1.derToOid(prim(alg!, Type.OID).toString('latin1'))).toBe('1.2.156.10197.1.501');
    // timeStamp [0] EXPLICIT BIT STRING
    expect(ts!.tagClass).toBe(Class.CONTEXT_SPECIFIC);
    expect(ts!.type).toBe(0);
    expect(bits((ts!.value as Node[])[0]!).toString()).toBe('tst');
    // the signer's SM2 signature over DER(TBS_Sign), checked by sm-crypto-v2
    expect(
      smc.doVerifySignature(
        der(tbs!),
        bits(signature!).toString('hex'),
        publicKeyHex(world.officer.certDer),
        { hash: true, der: true },
      ),
    ).toBe(true);

    // SESeal inside TBS_Sign is the seal exactly as made
    expect(der(eseal!).equals(seal)).toBe(true);
    const [sealInfo, makerCert, signAlg, signedValue] = kids(eseal!, Type.SEQUENCE, 4);
    expect(prim(makerCert!, Type.OCTETSTRING).equals(world.maker.certDer)).toBe(true);
    expect(forge.asn1.derToOid(prim(signAlg!, Type.OID).toString('latin1'))).toBe('1.2.156.10197.1.501');
    expect(
      smc.doVerifySignature(
        der(sealInfo!),
        bits(signedValue!).toString('hex'),
        publicKeyHex(world.maker.certDer),
        { hash: true, der: true },
      ),
    ).toBe(true);

    const [header, esID, property, picture, extDatas] = kids(sealInfo!, Type.SEQUENCE, 5);
    const [id, hv, vid] = kids(header!, Type.SEQUENCE, 3);
    expect([text(id!, Type.IA5STRING), int(hv!), text(vid!, Type.IA5STRING)]).toEqual(['ES', 4, 'TONGBAN']);
    expect(text(esID!, Type.IA5STRING)).toBe('52010200000001');

    const [type, name, certListType, certList, createDate, validStart, validEnd] = kids(
      property!,
      Type.SEQUENCE,
      7,
    );
    expect(int(type!)).toBe(1);
    expect(text(name!, Type.UTF8)).toBe('贵阳市公安局南明分局户籍专用章');
    expect(int(certListType!)).toBe(1);
    const certs = kids(certList!, Type.SEQUENCE, 2).map((c) => prim(c, Type.OCTETSTRING));
    expect(certs).toEqual([world.unitSigner.certDer, world.officer.certDer]);
    expect(text(createDate!, Type.GENERALIZEDTIME)).toBe(gt(opts.createDate!));
    expect(text(validStart!, Type.GENERALIZEDTIME)).toBe(gt(opts.validStart));
    expect(text(validEnd!, Type.GENERALIZEDTIME)).toBe(gt(opts.validEnd));

    const [ptype, pdata, width, height] = kids(picture!, Type.SEQUENCE, 4);
    expect(text(ptype!, Type.IA5STRING)).toBe('png');
    expect(prim(pdata!, Type.OCTETSTRING).equals(world.picture)).toBe(true);
    expect([int(width!), int(height!)]).toEqual([40, 40]);

    const [ext] = kids(extDatas!, Type.SEQUENCE, 1);
    const [extnID, extnValue] = kids(ext!, Type.SEQUENCE, 2); // critical FALSE is DEFAULT, so absent
    expect(prim(extnID!, Type.OID).equals(oidBytes(SEAL_OID.EXT_PICTURE_DIGEST))).toBe(true);
    const [digestAlg, digest] = kids(parse(prim(extnValue!, Type.OCTETSTRING)), Type.SEQUENCE, 2);
    expect(forge.asn1.derToOid(prim(digestAlg!, Type.OID).toString('latin1'))).toBe('1.2.156.10197.1.401');
    expect(prim(digest!, Type.OCTETSTRING).equals(createHash('sm3').update(world.picture).digest())).toBe(
      true,
    );
  });

  it('openssl asn1parse reads the same tree and names our private OID arc', () => {
    const out = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-i'], { input: sig }).toString();
    expect(out).toContain(`OBJECT            :${SEAL_OID.EXT_PICTURE_DIGEST}`);
    expect(out).toContain('OBJECT            :SM2-with-SM3');
    expect(out).toContain('IA5STRING         :ES');
    expect(out).toContain('UTF8STRING        :贵阳市公安局南明分局户籍专用章');
    expect(out).toContain(`GENERALIZEDTIME   :${gt(NOW)}`);
  });
});
