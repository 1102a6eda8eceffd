/**
 * A printable 常住人口登记表 / 户口簿个人信息页 as a small hand-written PDF (ISO 32000-1), drawn
 * by `renderFormPdf` (render-form.ts).
 *
 * (Why PDF, and how Chinese shows without an embedded font: see render-form.ts.)
 *
 * Output is deterministic (no creation date): the same record gives the same bytes and digest.
 */
import { renderFormPdf, type FormField } from './render-form.js';

/** The data of a 常住人口登记表 (as in the `newborn.decision` payload) plus context. */
export interface ResidentRegistrationData {
  readonly name: string;
  readonly relationToHead: string;
  readonly sex: 'male' | 'female';
  readonly ethnicity: string;
  readonly birthDate: string;
  readonly birthPlace: string;
  readonly nativePlace: string;
  readonly idNumber: string;
  readonly address: string;
  readonly guardians: ReadonlyArray<{
    readonly name: string;
    readonly relation: 'father' | 'mother' | 'guardian';
  }>;
  readonly registeredOn: string;
  readonly registrationReason: string;
  readonly officer: string;
  /** 户号. */
  readonly householdNo?: string;
  /** 登记机关, e.g. the 户籍地 police station. */
  readonly authority?: string;
  /** 业务流水号. */
  readonly caseId?: string;
}

/** Which page to render. */
export interface RenderOptions {
  /** Default `resident-registration` (常住人口登记表); `household-page` is 户口簿个人信息页. */
  readonly kind?: 'resident-registration' | 'household-page';
}

const TITLES = {
  'resident-registration': ['常住人口登记表', 'Resident Registration Form'],
  'household-page': ['户口簿 常住人口登记卡', 'Household Register - Personal Page'],
} as const;

const RELATION = { father: '父', mother: '母', guardian: '监护人' } as const;

function fields(d: ResidentRegistrationData): FormField[] {
  return [
    ['姓名', 'Name', d.name],
    ['与户主关系', 'Relation to head', d.relationToHead],
    ['性别', 'Sex', d.sex === 'male' ? '男 male' : '女 female'],
    ['民族', 'Ethnicity', d.ethnicity],
    ['出生日期', 'Date of birth', d.birthDate],
    ['出生地', 'Place of birth', d.birthPlace],
    ['籍贯', 'Native place', d.nativePlace],
    ['公民身份号码', 'ID number', d.idNumber],
    ['住址', 'Address', d.address],
    ['监护人', 'Guardians', d.guardians.map((g) => `${g.name}（${RELATION[g.relation]}）`).join('  ')],
    ...(d.householdNo ? [['户号', 'Household No.', d.householdNo] as const] : []),
    ['登记事由', 'Reason', d.registrationReason],
    ['登记日期', 'Registered on', d.registeredOn],
    ['承办人', 'Officer', d.officer],
    ...(d.authority ? [['登记机关', 'Authority', d.authority] as const] : []),
    ...(d.caseId ? [['业务流水号', 'Case', d.caseId] as const] : []),
  ];
}

/** Render the record as a one-page A4 PDF. */
export function renderResidentRegistration(data: ResidentRegistrationData, opts: RenderOptions = {}): Buffer {
  const kind = opts.kind ?? 'resident-registration';
  return renderFormPdf({
    title: TITLES[kind],
    fields: fields(data),
    footer:
      'Electronically sealed (GB/T 38540). Check the seals offline: tongban seal verify <document> <signature>',
    infoTitle: `${TITLES[kind][0]} ${data.name}`,
  });
}
