import { describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { createPacketValidator, parseBody } from '../../src/packets/index.js';
import { GBK_XML_SAMPLE, JSON_SAMPLES, NOW, packetXml, sampleBytes, sampleJson } from './helpers.js';

const XML = 'application/xml';
const PDF_STUB =
  'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcjw8L1Jvb3QgMSAwIFI+PgolJUVPRgo=';

/** The JSON a sender would write by hand for newborn-application.chuan-yu-qian.gbk.xml. */
const CHUAN_YU_QIAN_JSON = {
  id: 'b3f1e0c2-5a4d-4e2b-8f3a-9d1c7e6b5a40',
  type: 'newborn.application',
  caseId: '500103-20261123-000007',
  from: { member: '500000', office: '500103530000', officeName: '重庆市公安局渝中区分局解放碑派出所' },
  to: { member: '520000', office: '520102530000', officeName: '贵阳市公安局南明分局花果园派出所' },
  agreement: 'chuan-yu-qian',
  createdAt: '2026-11-23T10:00:00+08:00',
  payload: {
    applicant: {
      name: '李娜',
      idNumber: '520102199307080043',
      relation: 'mother',
      phone: '13900000000',
      mailingAddress: '重庆市渝中区解放碑街道民族路1号',
    },
    newborn: {
      name: '陈一鸣',
      sex: 'male',
      birthDate: '2026-11-10',
      ethnicity: '苗族',
      birthPlace: { region: '500103', institution: '重庆市妇幼保健院' },
      birthCertificateNo: 'R500987654',
    },
    father: { name: '陈刚', idNumber: '50010319900101007X', ethnicity: '汉族', hukouRegion: '500103' },
    mother: { name: '李娜', idNumber: '520102199307080043', ethnicity: '苗族', hukouRegion: '520102' },
    marriage: { certificateNo: 'J520102-2020-000321', registeredOn: '2020-10-01' },
    household: {
      follows: 'mother',
      householdNo: '520102004321',
      headName: '李娜',
      relationToHead: '子',
      address: '贵州省贵阳市南明区花果园街道1号',
    },
    acceptance: {
      officer: '周警官',
      officerId: '051234',
      acceptedAt: '2026-11-23T09:58:00+08:00',
      commitmentSigned: true,
    },
  },
  attachments: [
    {
      kind: 'birth-certificate',
      mediaType: 'application/pdf',
      name: '出生医学证明.pdf',
      contentBase64: PDF_STUB,
    },
    { kind: 'household-register', mediaType: 'application/pdf', name: '户口簿.pdf', contentBase64: PDF_STUB },
    {
      kind: 'marriage-certificate',
      mediaType: 'application/pdf',
      name: '结婚证.pdf',
      contentBase64: PDF_STUB,
    },
  ],
};

const xmlDoc = (inner: string): Buffer =>
  Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><packet>${inner}</packet>`, 'utf8');

/** A GatewayError's code and details, or a test failure. */
function refusalOf(fn: () => unknown): { code: string; details: unknown } {
  try {
    fn();
  } catch (err) {
    if (isGatewayError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('XML packets', () => {
  const validator = createPacketValidator({ now: () => NOW });

  it('turns the GBK sample into exactly the hand-written JSON, which validates', () => {
    const fromXml = parseBody(sampleBytes(GBK_XML_SAMPLE), XML);
    expect(fromXml).toStrictEqual(CHUAN_YU_QIAN_JSON);
    expect(validator.validate(fromXml)).toStrictEqual(CHUAN_YU_QIAN_JSON);
    expect(validator.validate(structuredClone(CHUAN_YU_QIAN_JSON))).toStrictEqual(fromXml);
  });

  it.each(JSON_SAMPLES)('round-trips %s through XML in UTF-8, GBK and GB18030', (name) => {
    const json = sampleJson(name);
    for (const enc of ['UTF-8', 'GBK', 'GB18030'] as const) {
      expect(parseBody(packetXml(json, enc), XML)).toStrictEqual(json);
    }
  });

  it('keeps one-item arrays as arrays and empty wrappers as empty arrays', () => {
    const decision = sampleJson('newborn-decision.approved.json');
    const rr = (decision.payload as { residentRegistration: { guardians: unknown[] } }).residentRegistration;
    rr.guardians = rr.guardians.slice(0, 1);
    decision.attachments = [
      { kind: 'other', mediaType: 'text/plain', name: 'a.txt', contentBase64: 'QQ==', size: 1 },
    ];
    const parsed = parseBody(packetXml(decision), XML);
    expect(parsed).toStrictEqual(decision);
    expect(validator.validate(parsed)).toStrictEqual(decision);

    const empty = parseBody(
      xmlDoc(
        '<type>newborn.decision</type><attachments/><payload><decision>approved</decision>' +
          '<residentRegistration><guardians>\n  </guardians></residentRegistration></payload>',
      ),
      XML,
    );
    expect(empty).toStrictEqual({
      type: 'newborn.decision',
      attachments: [],
      payload: { decision: 'approved', residentRegistration: { guardians: [] } },
    });
  });

  it('coerces booleans and integers only where the schema says so', () => {
    const xml = xmlDoc(
      '<type>newborn.completion</type><payload><birthCertificate><mainPageReturned>false</mainPageReturned></birthCertificate></payload>' +
        '<attachments><attachment><size>42</size><name>true</name></attachment></attachments><caseId>123456</caseId>',
    );
    expect(parseBody(xml, XML)).toEqual({
      type: 'newborn.completion',
      payload: { birthCertificate: { mainPageReturned: false } },
      attachments: [{ size: 42, name: 'true' }],
      caseId: '123456',
    });
  });

  it('leaves values that do not fit the schema for the validator to refuse', () => {
    const bad = packetXml(CHUAN_YU_QIAN_JSON)
      .toString('utf8')
      .replace('<commitmentSigned>true<', '<commitmentSigned>yes<');
    expect(refusalOf(() => validator.validate(parseBody(Buffer.from(bad), XML)))).toEqual({
      code: 'GW_ERR_PACKET_SCHEMA',
      details: [{ path: '/payload/acceptance/commitmentSigned', message: 'must be boolean' }],
    });
  });

  it('keeps unknown elements so the schema refuses them by path', () => {
    const bad = packetXml(CHUAN_YU_QIAN_JSON)
      .toString('utf8')
      .replace('</newborn>', '<nickname>小鸣</nickname></newborn>');
    expect(refusalOf(() => validator.validate(parseBody(Buffer.from(bad), XML)))).toEqual({
      code: 'GW_ERR_PACKET_SCHEMA',
      details: [{ path: '/payload/newborn/nickname', message: 'is not allowed' }],
    });
  });

  it('refuses a repeated single-valued element', () => {
    const bad = packetXml(CHUAN_YU_QIAN_JSON)
      .toString('utf8')
      .replace('<agreement>', '<agreement>x</agreement><agreement>');
    expect(refusalOf(() => validator.validate(parseBody(Buffer.from(bad), XML)))).toEqual({
      code: 'GW_ERR_PACKET_SCHEMA',
      details: [{ path: '/agreement', message: 'must be string' }],
    });
  });

  it('refuses XML shapes with no JSON equivalent, naming the path', () => {
    expect(
      refusalOf(() => parseBody(xmlDoc('<from member="500000"><office>1</office></from>'), XML)),
    ).toEqual({
      code: 'GW_ERR_PACKET_SCHEMA',
      details: [{ path: '/from', message: 'must not carry XML attributes' }],
    });
    expect(refusalOf(() => parseBody(xmlDoc('<from>text<office>1</office></from>'), XML))).toEqual({
      code: 'GW_ERR_PACKET_SCHEMA',
      details: [{ path: '/from', message: 'must not mix text and child elements' }],
    });
    expect(
      refusalOf(() => parseBody(xmlDoc('<attachments><file><kind>other</kind></file></attachments>'), XML)),
    ).toEqual({
      code: 'GW_ERR_PACKET_SCHEMA',
      details: [{ path: '/attachments/file', message: 'is not allowed; <attachment> elements expected' }],
    });
    expect(refusalOf(() => parseBody(Buffer.from('<application><id>x</id></application>'), XML))).toEqual({
      code: 'GW_ERR_PACKET_SCHEMA',
      details: [{ path: '', message: 'root element must be <packet>' }],
    });
  });

  it('ignores namespace declarations on the root but no other attribute', () => {
    const withNs = Buffer.from('<packet xmlns="urn:tongban:packet"><caseId>abc123</caseId></packet>');
    expect(parseBody(withNs, XML)).toEqual({ caseId: 'abc123' });
    expect(
      refusalOf(() => parseBody(Buffer.from('<packet version="2"><caseId>abc123</caseId></packet>'), XML))
        .code,
    ).toBe('GW_ERR_PACKET_SCHEMA');
  });

  it('keeps an element named __proto__ as an own property (no prototype pollution)', () => {
    const parsed = parseBody(
      xmlDoc('<payload><__proto__><polluted>yes</polluted></__proto__></payload>'),
      XML,
    ) as {
      payload: object;
    };
    expect(Object.getPrototypeOf(parsed.payload)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed.payload, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('decodes entities and CDATA as text', () => {
    expect(parseBody(xmlDoc('<caseId>a&amp;b&#x4e2d;<![CDATA[<c>]]></caseId>'), XML)).toEqual({
      caseId: 'a&b中<c>',
    });
  });
});
