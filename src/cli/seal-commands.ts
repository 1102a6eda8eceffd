import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { GatewayError } from '../errors.js';
import { loadCertDer } from '../pki/index.js';
import {
  describeSealFile,
  SEAL_ERROR_CODES,
  SEAL_TYPE,
  verifySealedDocument,
  type SealFileDescription,
} from '../seal/index.js';

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----([A-Za-z0-9+/=\s]+)-----END [A-Z0-9 ]+-----/;
const BASE64_TEXT = /^[A-Za-z0-9+/=\s]+$/;

/**
 * Bytes of a seal or signature file: DER as written by the gateway, or the same as PEM or bare
 * base64 (what people copy out of a packet's `signatureBase64`).
 */
function readSealInput(path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new GatewayError(
      'GW_ERR_CONFIG_INVALID',
      `${path}: expected a readable file`,
      [{ path, message: 'a readable file' }],
      { cause: err },
    );
  }
  const text = bytes.toString('latin1');
  const pem = PEM_BLOCK.exec(text);
  if (pem?.[1]) return Buffer.from(pem[1].replace(/\s+/g, ''), 'base64');
  if (bytes[0] !== 0x30 && BASE64_TEXT.test(text)) return Buffer.from(text.replace(/\s+/g, ''), 'base64');
  return bytes;
}

function readDocument(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new GatewayError(
      'GW_ERR_CONFIG_INVALID',
      `${path}: expected a readable file`,
      [{ path, message: 'a readable file' }],
      { cause: err },
    );
  }
}

const iso = (d: Date): string => d.toISOString().replace('.000Z', 'Z');
const sealKind = (type: number): string =>
  type === SEAL_TYPE.unit
    ? 'unit seal 单位印章'
    : type === SEAL_TYPE.personal
      ? 'personal seal 个人印章'
      : `type ${type}`;

function printDescription(d: SealFileDescription): void {
  const s = d.seal;
  const lines: Array<[string, string]> = [
    ['format', d.format],
    ['esID', s.esID],
    ['name', s.name],
    ['type', sealKind(s.type)],
    ['vendor', s.vendorId],
    ['created', iso(s.createDate)],
    ['valid', `${iso(s.validStart)} .. ${iso(s.validEnd)}`],
    [
      'picture',
      `${s.picture.type}, ${s.picture.bytes} bytes, ${s.picture.widthMm}×${s.picture.heightMm} mm${s.picture.pixels ? `, ${s.picture.pixels.width}×${s.picture.pixels.height} px` : ''}${s.hasPictureDigest ? ', digest recorded by maker' : ''}`,
    ],
    ['maker', s.makerSubject],
    ['algorithm', s.signAlgorithm],
    [`signers (certListType ${s.certListType})`, s.signers.join('\n' + ' '.repeat(26))],
  ];
  if (d.signature) {
    lines.push(
      ['signed by', d.signature.signerSubject],
      ['signed at', iso(d.signature.signedAt)],
      ['signs', d.signature.propertyInfo],
      ['timestamp', d.signature.hasTimeStamp ? 'present (not checked)' : 'none'],
    );
  }
  for (const [k, v] of lines) process.stdout.write(`${`${k}:`.padEnd(26)}${v}\n`);
}

/** `tongban seal verify|inspect`: check a sealed document offline and read a seal's fields. */
export function registerSealCommands(program: Command): void {
  const seal = program
    .command('seal')
    .description('electronic seals (GB/T 38540): verify sealed documents offline, inspect seals');
  seal
    .command('verify')
    .argument('<document>', 'the document as sealed (exact bytes, e.g. the PDF)')
    .argument('<signature>', 'its seal signature: SES_Signature (sm) or CMS (intl), DER, PEM or base64')
    .option('--trust <cert...>', 'seal maker certificate(s), or the CA that issued them (PEM or DER)')
    .option('--json', 'print the result as JSON')
    .description(
      'check both signatures, the signer list, validity and the document digest; exit 1 when invalid',
    )
    .action((document: string, signature: string, opts: { trust?: string[]; json?: boolean }) => {
      const trusted = opts.trust?.map((f) => loadCertDer(f));
      const v = verifySealedDocument(
        readDocument(document),
        readSealInput(signature),
        trusted ? { trustedMakerCerts: trusted } : {},
      );
      if (opts.json) {
        process.stdout.write(JSON.stringify(v.valid ? v : { ...v, code: SEAL_ERROR_CODES[v.reason] }) + '\n');
      } else if (v.valid) {
        process.stdout.write(`valid: ${v.sealName} (esID ${v.esID}, ${sealKind(v.sealType)})\n`);
        process.stdout.write(
          `  suite:   ${v.suite === 'sm' ? 'sm — GB/T 38540 SES_Signature, SM2 with SM3' : 'intl — CMS SignedData, ECDSA P-256'}\n`,
        );
        process.stdout.write(
          `  signer:  ${v.signerSubject}\n  signed:  ${iso(v.signedAt)}\n  signs:   ${v.propertyInfo}\n`,
        );
        process.stdout.write(`  maker:   ${v.makerSubject}${v.makerTrusted ? ' (trusted)' : ''}\n`);
        if (!v.makerTrusted) {
          process.stdout.write(
            'note: the seal maker was not checked; pass --trust <maker or CA certificate> to know who made the seal\n',
          );
        }
      } else {
        process.stdout.write(`invalid: ${v.reason} (${SEAL_ERROR_CODES[v.reason]}): ${v.message}\n`);
      }
      if (!v.valid) process.exitCode = 1;
    });
  seal
    .command('inspect')
    .argument('<file>', 'SESeal, SES_Signature or intl CMS (DER, PEM or base64)')
    .option('--picture <out.png>', 'write the seal picture to this file')
    .option('--json', 'print the fields as JSON')
    .description(
      "print a seal's fields (esID, name, type, validity, signers, picture, maker) without judging it",
    )
    .action((file: string, opts: { picture?: string; json?: boolean }) => {
      const d = describeSealFile(readSealInput(file));
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({ format: d.format, seal: d.seal, signature: d.signature }) + '\n',
        );
      } else printDescription(d);
      if (opts.picture) writeFileSync(opts.picture, Buffer.from(d.decoded.seal.eSealInfo.picture.data));
    });
}
