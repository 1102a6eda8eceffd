import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import type { KeyedIdentity } from '../../src/crypto/index.js';
import { getSm2 } from '../../src/crypto/sm/index.js';
import { SESeal, SesSignature, TbsSign } from '../../src/seal/index.js';

const ab = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;

/**
 * An SES_Signature built without any of signDocument's refusals — what a careless or hostile
 * signing tool could produce — so the verifier's checks can be tested one at a time.
 */
export function forgeSesSignature(doc: Buffer, sealDer: Buffer, signer: KeyedIdentity, time: Date): Buffer {
  const toSign = new TbsSign({
    eseal: AsnConvert.parse(sealDer, SESeal),
    timeInfo: time,
    dataHash: ab(createHash('sm3').update(doc).digest()),
    propertyInfo: 'document',
  });
  const signature = getSm2().sign(Buffer.from(AsnConvert.serialize(toSign)), signer.privateKey);
  return Buffer.from(
    AsnConvert.serialize(
      new SesSignature({
        toSign,
        cert: ab(signer.certDer),
        signatureAlgID: '1.2.156.10197.1.501',
        signature: ab(signature),
      }),
    ),
  );
}

/** A copy of `buf` with one bit flipped at `offset`. */
export function flipBit(buf: Buffer, offset: number): Buffer {
  const out = Buffer.from(buf);
  out[offset] = out[offset]! ^ 0x01;
  return out;
}
