import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sm2BackendName } from '../../../src/crypto/sm/index.js';

/**
 * Backends every SM2 test runs against. The native addon is built by `npm ci`; a host that
 * cannot build it sets TONGBAN_SM_NATIVE=0 (as for the install) and only the JS backend runs.
 */
export const BACKENDS: readonly Sm2BackendName[] =
  process.env['TONGBAN_SM_NATIVE'] === '0' ? ['js'] : ['native', 'js'];

/** GB/T 32918 Annex A / C (recommended curve), as REFERENCES.md lists them. */
export const ANNEX = {
  d: '3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8',
  px: '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020',
  py: 'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13',
  k: '59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21',
  za: 'b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3',
  signMessage: 'message digest',
  r: 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3',
  s: 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA',
  encMessage: 'encryption standard',
  c1x: '04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73',
  c1y: 'E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0',
  c3: '59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766',
  c2: '21886CA989CA9C7D58087307CA93092D651EFA',
} as const;

/** A temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-sm-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** PEM armour for DER. */
export function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** Flip one bit of a copy. */
export function flipBit(buf: Buffer, byteIndex: number, bit = 0): Buffer {
  const copy = Buffer.from(buf);
  copy[byteIndex]! ^= 1 << bit;
  return copy;
}

/** Byte offsets of x, y, C3 and C2 content inside a DER SM2Cipher (parts shorter than 128 bytes). */
export function cipherLayout(der: Buffer): { x: number; y: number; c3: number; c2: number } {
  let pos = 2;
  const offsets: number[] = [];
  for (let i = 0; i < 4; i++) {
    offsets.push(pos + 2);
    pos += 2 + der[pos + 1]!;
  }
  return { x: offsets[0]!, y: offsets[1]!, c3: offsets[2]!, c2: offsets[3]! };
}
