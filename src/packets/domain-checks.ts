/**
 * Domain checks at acceptance that JSON Schema cannot express: GB 11643 ID numbers, GB/T 2260
 * region codes and attachment integrity. Each failure names the JSON-pointer path; ID numbers
 * themselves never appear in messages (they are citizen data and messages reach logs).
 */
import { createHash } from 'node:crypto';
import { GatewayError, type ErrorDetail } from '../errors.js';
import { validateIdNumber } from './id-number.js';
import { isMemberCode, isRegionCode } from './region-codes.js';
import type { Packet } from './types.js';

/** Options for {@link checkPacketDomain}. */
export interface DomainCheckOptions {
  /** "Now" for birth dates; default `new Date()`. */
  today?: Date;
}

const ID_REASONS = {
  format: 'is not 17 digits followed by a digit or X',
  'check-digit': 'has a wrong GB 11643 check character',
  'birth-date': 'has an impossible or future birth date',
  region: 'has an unknown province code',
} as const;

function idNumbers(p: Packet): [string, string][] {
  const out: [string, string][] = [];
  if (p.type === 'newborn.application') {
    out.push(['/payload/applicant/idNumber', p.payload.applicant.idNumber]);
    out.push(['/payload/father/idNumber', p.payload.father.idNumber]);
    out.push(['/payload/mother/idNumber', p.payload.mother.idNumber]);
  } else if (p.type === 'newborn.decision' && p.payload.decision === 'approved') {
    out.push(['/payload/newbornIdNumber', p.payload.newbornIdNumber]);
    out.push(['/payload/residentRegistration/idNumber', p.payload.residentRegistration.idNumber]);
  }
  return out;
}

function checkIdNumbers(p: Packet, today: Date | undefined): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const [path, id] of idNumbers(p)) {
    const r = validateIdNumber(id, { today });
    if (!r.valid) details.push({ path, message: `公民身份号码 ${ID_REASONS[r.reason]}`, reason: r.reason });
  }
  if (details.length === 0 && p.type === 'newborn.decision' && p.payload.decision === 'approved') {
    // The number issued must be the one on the 常住人口登记表, and must encode its birth date and sex.
    const { newbornIdNumber, residentRegistration: rr } = p.payload;
    const r = validateIdNumber(newbornIdNumber, { today });
    if (rr.idNumber !== newbornIdNumber) {
      details.push({
        path: '/payload/residentRegistration/idNumber',
        message: 'differs from newbornIdNumber',
        reason: 'mismatch',
      });
    } else if (r.valid && r.birthDate !== rr.birthDate) {
      details.push({
        path: '/payload/newbornIdNumber',
        message: 'birth date differs from residentRegistration.birthDate',
        reason: 'mismatch',
      });
    } else if (r.valid && r.sex !== rr.sex) {
      details.push({
        path: '/payload/newbornIdNumber',
        message: 'sex digit differs from residentRegistration.sex',
        reason: 'mismatch',
      });
    }
  }
  return details;
}

function checkRegions(p: Packet): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const side of ['from', 'to'] as const) {
    const { member, office } = p[side];
    if (!isMemberCode(member)) {
      details.push({ path: `/${side}/member`, message: 'is not a GB/T 2260 province member code (NN0000)' });
    } else if (!isRegionCode(office.slice(0, 6))) {
      details.push({ path: `/${side}/office`, message: 'does not begin with a GB/T 2260 region code' });
    } else if (office.slice(0, 2) !== member.slice(0, 2)) {
      details.push({ path: `/${side}/office`, message: `is not in the province of member ${member}` });
    }
  }
  if (p.type === 'newborn.application') {
    const regions: [string, string][] = [
      ['/payload/newborn/birthPlace/region', p.payload.newborn.birthPlace.region],
      ['/payload/father/hukouRegion', p.payload.father.hukouRegion],
      ['/payload/mother/hukouRegion', p.payload.mother.hukouRegion],
    ];
    for (const [path, code] of regions) {
      if (!isRegionCode(code)) details.push({ path, message: 'is not a GB/T 2260 region code' });
    }
  }
  return details;
}

/** Strict base64 → bytes, or undefined when the text is not canonical base64. */
function decodeBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  // Node's decoder skips junk silently; a round trip proves the text was exact (incl. padding bits).
  return bytes.toString('base64') === text ? bytes : undefined;
}

function checkAttachments(p: Packet): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  (p.attachments ?? []).forEach((a, i) => {
    const path = `/attachments/${i}`;
    const bytes = decodeBase64(a.contentBase64);
    if (bytes === undefined || bytes.length === 0) {
      details.push({ path: `${path}/contentBase64`, message: 'is not valid base64' });
      return;
    }
    if (a.size !== undefined && a.size !== bytes.length) {
      details.push({ path: `${path}/size`, message: `does not match the content (${bytes.length} bytes)` });
    }
    if (a.sha256 !== undefined && a.sha256 !== createHash('sha256').update(bytes).digest('hex')) {
      details.push({ path: `${path}/sha256`, message: 'does not match the SHA-256 of the content' });
    }
  });
  if (p.type === 'newborn.completion') {
    const sig = decodeBase64(p.payload.applicantSignature.contentBase64);
    if (sig === undefined || sig.length === 0) {
      details.push({ path: '/payload/applicantSignature/contentBase64', message: 'is not valid base64' });
    }
  }
  return details;
}

function fail(
  code: 'GW_ERR_PACKET_ID_NUMBER' | 'GW_ERR_PACKET_REGION_CODE' | 'GW_ERR_PACKET_ATTACHMENT',
  details: ErrorDetail[],
): never {
  const first = details[0]!;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  throw new GatewayError(code, `${first.path ?? ''} ${first.message}${more}`, details);
}

/**
 * Runs the acceptance checks on a schema-valid packet, in the order ID numbers, region codes,
 * attachments; throws on the first group that has failures, listing all failures of that group.
 * @throws GatewayError `GW_ERR_PACKET_ID_NUMBER`, `GW_ERR_PACKET_REGION_CODE`, `GW_ERR_PACKET_ATTACHMENT`
 */
export function checkPacketDomain(p: Packet, opts: DomainCheckOptions = {}): void {
  const ids = checkIdNumbers(p, opts.today);
  if (ids.length > 0) fail('GW_ERR_PACKET_ID_NUMBER', ids);
  const regions = checkRegions(p);
  if (regions.length > 0) fail('GW_ERR_PACKET_REGION_CODE', regions);
  const attachments = checkAttachments(p);
  if (attachments.length > 0) fail('GW_ERR_PACKET_ATTACHMENT', attachments);
}
