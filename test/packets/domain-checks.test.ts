import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGatewayError, type ErrorDetail } from '../../src/errors.js';
import { createPacketValidator, idNumberCheckChar, parseBody } from '../../src/packets/index.js';
import { NOW, sampleJson, withChange } from './helpers.js';

const validator = createPacketValidator({ now: () => NOW });
const application = (): Record<string, unknown> => sampleJson('newborn-application.yangtze.json');
const approved = (): Record<string, unknown> => sampleJson('newborn-decision.approved.json');
const completion = (): Record<string, unknown> => sampleJson('newborn-completion.json');
const withCheck = (first17: string): string => first17 + idNumberCheckChar(first17);

/** Validates and returns the refusal's code, message and details (fails if it validates). */
function refusal(raw: unknown): { code: string; message: string; details: readonly ErrorDetail[] } {
  try {
    validator.validate(raw);
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('domain refusals', () => {
  it('bad ID check digit (GW_ERR_PACKET_ID_NUMBER) without echoing the number', () => {
    const r = refusal(withChange(application(), '/payload/father/idNumber', '330102199203150014'));
    expect(r.code).toBe('GW_ERR_PACKET_ID_NUMBER');
    expect(r.details).toEqual([
      {
        path: '/payload/father/idNumber',
        message: '公民身份号码 has a wrong GB 11643 check character',
        reason: 'check-digit',
      },
    ]);
    expect(r.message).not.toContain('330102199203150014');
  });

  it('bad ID birth date: impossible and future', () => {
    const r = refusal(withChange(application(), '/payload/mother/idNumber', withCheck('33010619940230122')));
    expect(r.code).toBe('GW_ERR_PACKET_ID_NUMBER');
    expect(r.details).toEqual([
      {
        path: '/payload/mother/idNumber',
        message: '公民身份号码 has an impossible or future birth date',
        reason: 'birth-date',
      },
    ]);
    const future = refusal(
      withChange(approved(), '/payload/newbornIdNumber', withCheck('33010220261201002')),
    );
    expect(future.details.map((d) => [d.path, d.reason])).toEqual([
      ['/payload/newbornIdNumber', 'birth-date'],
    ]);
  });

  it('ID with unknown province', () => {
    const r = refusal(
      withChange(application(), '/payload/applicant/idNumber', withCheck('99010219920315001')),
    );
    expect(r.code).toBe('GW_ERR_PACKET_ID_NUMBER');
    expect(r.details).toEqual([
      {
        path: '/payload/applicant/idNumber',
        message: '公民身份号码 has an unknown province code',
        reason: 'region',
      },
    ]);
  });

  it('approval: issued number must match the 常住人口登记表', () => {
    const other = withCheck('33010220261102004');
    const r = refusal(withChange(approved(), '/payload/residentRegistration/idNumber', other));
    expect(r.code).toBe('GW_ERR_PACKET_ID_NUMBER');
    expect(r.details).toEqual([
      {
        path: '/payload/residentRegistration/idNumber',
        message: 'differs from newbornIdNumber',
        reason: 'mismatch',
      },
    ]);
    const sex = refusal(withChange(approved(), '/payload/residentRegistration/sex', 'male'));
    expect(sex.details.map((d) => d.path)).toEqual(['/payload/newbornIdNumber']);
  });

  it('region codes (GW_ERR_PACKET_REGION_CODE)', () => {
    const cases: [string, string, string][] = [
      ['/from/member', '990000', '/from/member'],
      ['/to/member', '710000', '/to/member'],
      ['/from/office', '320110530000', '/from/office'],
      ['/to/office', '990102530000', '/to/office'],
      ['/payload/father/hukouRegion', '000102', '/payload/father/hukouRegion'],
    ];
    for (const [pointer, value, path] of cases) {
      const r = refusal(withChange(application(), pointer, value));
      expect(r.code).toBe('GW_ERR_PACKET_REGION_CODE');
      expect(r.details.map((d) => d.path)).toEqual([path]);
    }
  });

  it('attachments (GW_ERR_PACKET_ATTACHMENT): size, sha256, non-canonical base64', () => {
    const r = refusal(withChange(application(), '/attachments/0/size', 999));
    expect(r.code).toBe('GW_ERR_PACKET_ATTACHMENT');
    expect(r.details).toEqual([
      { path: '/attachments/0/size', message: 'does not match the content (77 bytes)' },
    ]);
    const sha = refusal(withChange(application(), '/attachments/2/sha256', '0'.repeat(64)));
    expect(sha.details).toEqual([
      { path: '/attachments/2/sha256', message: 'does not match the SHA-256 of the content' },
    ]);
    const short = refusal(withChange(application(), '/attachments/1/contentBase64', 'QUJDR'));
    expect(short.details).toEqual([{ path: '/attachments/1/contentBase64', message: 'is not valid base64' }]);
    const loose = refusal(withChange(application(), '/attachments/1/contentBase64', 'QR=='));
    expect(loose.details).toEqual([{ path: '/attachments/1/contentBase64', message: 'is not valid base64' }]);
    const sig = refusal(withChange(completion(), '/payload/applicantSignature/contentBase64', 'QR=='));
    expect([sig.code, sig.details[0]?.path]).toEqual([
      'GW_ERR_PACKET_ATTACHMENT',
      '/payload/applicantSignature/contentBase64',
    ]);
  });

  it('handles a 10 MiB attachment (no regex stack overflow) and checks its digest', () => {
    const bytes = Buffer.alloc(10 * 1024 * 1024, 0x5a);
    const att = {
      kind: 'other',
      mediaType: 'application/pdf',
      name: 'big.pdf',
      contentBase64: bytes.toString('base64'),
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    const raw = parseBody(
      Buffer.from(JSON.stringify({ ...application(), attachments: [att] })),
      'application/json',
    );
    expect(validator.validate(raw).attachments?.[0]?.size).toBe(10 * 1024 * 1024);
    const tampered = refusal({ ...application(), attachments: [{ ...att, sha256: 'f'.repeat(64) }] });
    expect([tampered.code, tampered.details[0]?.path]).toEqual([
      'GW_ERR_PACKET_ATTACHMENT',
      '/attachments/0/sha256',
    ]);
    const tooBig = refusal({
      ...application(),
      attachments: [{ ...att, contentBase64: 'A'.repeat(13981020) }],
    });
    expect(tooBig.details).toEqual([
      { path: '/attachments/0/contentBase64', message: 'must NOT have more than 13981016 characters' },
    ]);
  });

  it('checks the schema before the domain', () => {
    let raw = withChange(application(), '/payload/father/idNumber', '330102199203150014');
    raw = withChange(raw, '/payload/newborn/sex', 'x');
    expect(refusal(raw).code).toBe('GW_ERR_PACKET_SCHEMA');
    expect(
      validator.validateSchema(withChange(application(), '/payload/father/idNumber', '330102199203150014'))
        .type,
    ).toBe('newborn.application');
  });

  it('uses the injected clock', () => {
    const early = createPacketValidator({ now: () => new Date('2026-11-01T00:00:00+08:00') });
    const r = (() => {
      try {
        early.validate(approved());
      } catch (err) {
        return isGatewayError(err) ? err.details.map((d) => d.reason) : [];
      }
      return [];
    })();
    expect(r).toEqual(['birth-date', 'birth-date']);
  });
});
