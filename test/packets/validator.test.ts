import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isGatewayError, type ErrorDetail } from '../../src/errors.js';
import { createPacketValidator, parseBody, type Packet } from '../../src/packets/index.js';
import { GBK_XML_SAMPLE, JSON_SAMPLES, NOW, REMOVE, sampleBytes, sampleJson, withChange } from './helpers.js';

const validator = createPacketValidator({ now: () => NOW });
const application = (): Record<string, unknown> => sampleJson('newborn-application.yangtze.json');
const approved = (): Record<string, unknown> => sampleJson('newborn-decision.approved.json');
const rejected = (): Record<string, unknown> => sampleJson('newborn-decision.rejected.json');
const completion = (): Record<string, unknown> => sampleJson('newborn-completion.json');

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

/** Asserts a schema refusal whose details are exactly these path/message pairs. */
function expectSchemaError(raw: unknown, details: { path: string; message: string }[]): void {
  const r = refusal(raw);
  expect(r.code).toBe('GW_ERR_PACKET_SCHEMA');
  expect(r.details).toEqual(details);
}

describe('valid packets', () => {
  it.each(JSON_SAMPLES)('accepts sample %s', (name) => {
    const raw = parseBody(sampleBytes(name), 'application/json');
    const packet: Packet = validator.validate(raw);
    expect(packet).toEqual(sampleJson(name));
  });

  it('accepts the GBK XML sample', () => {
    const packet = validator.validate(parseBody(sampleBytes(GBK_XML_SAMPLE), 'application/xml'));
    expect(packet.type).toBe('newborn.application');
    if (packet.type === 'newborn.application')
      expect(packet.payload.newborn.birthCertificateNo).toBe('R500987654');
  });

  it('accepts birth-certificate.check questions and answers', () => {
    const base = { ...withChange(rejected(), '/inReplyTo', REMOVE), type: 'birth-certificate.check' };
    expect(validator.validate({ ...base, payload: { certificateNo: 'Q310123456' } }).type).toBe(
      'birth-certificate.check',
    );
    const answer = {
      certificateNo: 'Q310000001',
      status: 'blacklisted',
      reason: 'lost-reported',
      checkedAt: '2026-11-24T11:00:00+08:00',
    };
    expect(validator.validate({ ...base, payload: answer }).payload).toEqual(answer);
    expectSchemaError({ ...base, payload: { certificateNo: 'Q310123456', status: 'stolen' } }, [
      { path: '/payload/status', message: 'must be one of "unused", "used", "blacklisted"' },
    ]);
    expectSchemaError({ ...base, payload: { certificateNo: 'Q310123456', reason: 'lost-reported' } }, [
      { path: '/payload/status', message: 'is required with reason' },
    ]);
  });

  it('accepts attachments whose size and sha256 match', () => {
    const bytes = Buffer.from('%PDF-1.4 stand-in');
    const att = {
      kind: 'other',
      mediaType: 'application/pdf',
      name: 'x.pdf',
      contentBase64: bytes.toString('base64'),
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    expect(validator.validate({ ...application(), attachments: [att] }).attachments).toEqual([att]);
  });

  it('does not modify the value it validates', () => {
    const raw = application();
    const copy = structuredClone(raw);
    expect(validator.validate(raw)).toBe(raw);
    expect(raw).toStrictEqual(copy);
  });
});

describe('schema refusals (GW_ERR_PACKET_SCHEMA)', () => {
  it('missing required field', () => {
    expectSchemaError(withChange(application(), '/payload/newborn/birthCertificateNo', REMOVE), [
      { path: '/payload/newborn/birthCertificateNo', message: 'is required' },
    ]);
    expectSchemaError(withChange(application(), '/createdAt', REMOVE), [
      { path: '/createdAt', message: 'is required' },
    ]);
  });

  it('wrong type', () => {
    expectSchemaError(withChange(application(), '/payload/acceptance/commitmentSigned', 'true'), [
      { path: '/payload/acceptance/commitmentSigned', message: 'must be boolean' },
    ]);
    expectSchemaError(withChange(application(), '/attachments', {}), [
      { path: '/attachments', message: 'must be array' },
    ]);
    expectSchemaError(withChange(application(), '/attachments/0/size', '12'), [
      { path: '/attachments/0/size', message: 'must be integer' },
    ]);
  });

  it('extra property, including a typo of a known one', () => {
    expectSchemaError(withChange(application(), '/payload/newborn/nickname', '雨雨'), [
      { path: '/payload/newborn/nickname', message: 'is not allowed' },
    ]);
    expectSchemaError(withChange(application(), '/payload/household/follow', 'father'), [
      { path: '/payload/household/follow', message: 'is not allowed' },
    ]);
    expectSchemaError({ ...application(), 'a/b~c': 1 }, [{ path: '/a~1b~0c', message: 'is not allowed' }]);
  });

  it('bad UUID (malformed, upper case, wrong variant)', () => {
    for (const id of [
      'not-a-uuid',
      '7D0C6A52-1B7E-4F0B-9C55-2F6A8D1E0A11',
      '7d0c6a52-1b7e-4f0b-7c55-2f6a8d1e0a11',
      'urn:uuid:7d0c6a52-1b7e-4f0b-9c55-2f6a8d1e0a11',
    ]) {
      const r = refusal(withChange(application(), '/id', id));
      expect(r.code).toBe('GW_ERR_PACKET_SCHEMA');
      expect(r.details.map((d) => d.path)).toEqual(['/id']);
    }
    expect(refusal(withChange(approved(), '/inReplyTo', 'x')).details.map((d) => d.path)).toEqual([
      '/inReplyTo',
    ]);
  });

  it('bad birth certificate number', () => {
    for (const no of ['q310123456', 'Q31012345', 'Q3101234567', '1310123456', 'QQ10123456']) {
      expectSchemaError(withChange(application(), '/payload/newborn/birthCertificateNo', no), [
        { path: '/payload/newborn/birthCertificateNo', message: 'must match ^[A-Z]\\d{9}$' },
      ]);
    }
  });

  it('enum typos, dates and member codes', () => {
    expectSchemaError(withChange(application(), '/type', 'newborn.applicaton'), [
      {
        path: '/type',
        message:
          'must be one of "newborn.application", "newborn.decision", "newborn.completion", "birth-certificate.check"',
      },
    ]);
    expectSchemaError(withChange(application(), '/payload/household/follows', 'grandfather'), [
      { path: '/payload/household/follows', message: 'must be one of "father", "mother"' },
    ]);
    expect(
      refusal(withChange(application(), '/createdAt', '2026-11-23T09:12:00')).details.map((d) => d.path),
    ).toEqual(['/createdAt', '/createdAt']);
    expect(refusal(withChange(application(), '/payload/newborn/birthDate', '2026-02-30')).details).toEqual([
      { path: '/payload/newborn/birthDate', message: 'must be a valid date' },
    ]);
    expect(refusal(withChange(application(), '/from/member', '31000')).details).toEqual([
      { path: '/from/member', message: 'must match ^\\d{2}0000$' },
    ]);
    expect(
      refusal(withChange(application(), '/payload/father/ethnicity', '汉')).details.map((d) => d.path),
    ).toEqual(['/payload/father/ethnicity']);
  });

  it('decision: approved needs the registration, rejected must not carry it, both need inReplyTo', () => {
    expectSchemaError(withChange(approved(), '/payload/newbornIdNumber', REMOVE), [
      { path: '/payload/newbornIdNumber', message: 'is required' },
    ]);
    expectSchemaError(withChange(rejected(), '/payload/householdNo', '520102004321'), [
      { path: '/payload/householdNo', message: 'is not allowed here' },
    ]);
    expectSchemaError(withChange(rejected(), '/payload/reason', REMOVE), [
      { path: '/payload/reason', message: 'is required' },
    ]);
    expectSchemaError(withChange(approved(), '/inReplyTo', REMOVE), [
      { path: '/inReplyTo', message: 'is required' },
    ]);
    expectSchemaError(withChange(approved(), '/payload/residentRegistration/guardians', []), [
      { path: '/payload/residentRegistration/guardians', message: 'must NOT have fewer than 1 items' },
    ]);
  });

  it('completion: mailing is required for 缴旧寄新', () => {
    expectSchemaError(withChange(completion(), '/payload/householdRegister/mailing', REMOVE), [
      { path: '/payload/householdRegister/mailing', message: 'is required' },
    ]);
    const atWindow = withChange(completion(), '/payload/householdRegister/method', 'collect-at-window');
    expect(validator.validate(withChange(atWindow, '/payload/householdRegister/mailing', REMOVE)).type).toBe(
      'newborn.completion',
    );
  });

  it('limits: attachments count, base64 alphabet, string length, file names', () => {
    const att = (application().attachments as unknown[])[0];
    expectSchemaError(
      withChange(
        application(),
        '/attachments',
        Array.from({ length: 21 }, () => att),
      ),
      [{ path: '/attachments', message: 'must NOT have more than 20 items' }],
    );
    expect(
      refusal(withChange(application(), '/attachments/0/contentBase64', 'JVBE*i0x')).details.map(
        (d) => d.path,
      ),
    ).toEqual(['/attachments/0/contentBase64']);
    expect(
      refusal(withChange(application(), '/payload/household/address', '长'.repeat(201))).details,
    ).toEqual([{ path: '/payload/household/address', message: 'must NOT have more than 200 characters' }]);
    // Each field's own limit applies, not a narrower one inherited from a shared definition.
    const atLimit: [string, number][] = [
      ['/payload/household/address', 200],
      ['/from/officeName', 100],
      ['/payload/newborn/birthPlace/institution', 100],
      ['/attachments/0/name', 128],
      ['/payload/newborn/name', 50],
    ];
    for (const [pointer, max] of atLimit) {
      expect(validator.validate(withChange(application(), pointer, '长'.repeat(max))).type).toBe(
        'newborn.application',
      );
      expect(refusal(withChange(application(), pointer, '长'.repeat(max + 1))).details).toEqual([
        { path: pointer, message: `must NOT have more than ${max} characters` },
      ]);
    }
    expect(
      refusal(withChange(application(), '/attachments/0/name', '../etc/passwd')).details.map((d) => d.path),
    ).toEqual(['/attachments/0/name']);
    expect(
      refusal(withChange(application(), '/payload/newborn/name', '徐\u0000小雨')).details.map((d) => d.path),
    ).toEqual(['/payload/newborn/name']);
  });

  it('fails cleanly (no RangeError) on multi-megabyte Chinese strings', () => {
    // Two-byte strings made `u`-flag regexes overflow V8's backtracking stack.
    expectSchemaError(withChange(application(), '/payload/newborn/name', '雨'.repeat(2_000_000)), [
      { path: '/payload/newborn/name', message: 'must NOT have more than 50 characters' },
    ]);
    const b64 = Buffer.alloc(3 * 1024 * 1024, 1).toString('base64');
    expect(refusal(withChange(application(), '/attachments/0/contentBase64', `${b64}中`)).details).toEqual([
      { path: '/attachments/0/contentBase64', message: 'must match ^[A-Za-z0-9+/]*={0,2}$' },
    ]);
  });

  it('reports every failure, as JSON-pointer paths with plain messages only', () => {
    let raw = withChange(application(), '/payload/newborn/sex', 'girl');
    raw = withChange(raw, '/payload/mother/idNumber', 12);
    raw = withChange(raw, '/to/office', REMOVE);
    const r = refusal(raw);
    expect(r.code).toBe('GW_ERR_PACKET_SCHEMA');
    // ajv's order: the header's own keywords, then the payload reached through allOf/if/then.
    expect(r.details).toEqual([
      { path: '/payload/newborn/sex', message: 'must be one of "male", "female"' },
      { path: '/payload/mother/idNumber', message: 'must be string' },
      { path: '/to/office', message: 'is required' },
    ]);
    expect(r.message).toBe(
      'Packet does not match its schema: /payload/newborn/sex must be one of "male", "female" (and 2 more)',
    );
    for (const d of r.details) expect(Object.keys(d).sort()).toEqual(['message', 'path']);
  });

  it.each([null, [], 'packet', 42])('refuses a non-object body %j', (raw) => {
    expectSchemaError(raw, [{ path: '', message: 'must be object' }]);
  });
});
