/**
 * Eligibility rules of an agreement's policy for a `newborn.application` (DESIGN.md §3, issue 5):
 * age limit, required materials, marriage certificate, hukou of a parent in the receiving member,
 * 随父/随母 household, parents' ID numbers, signed 承诺书. Pure; run at acceptance and again at the
 * receiver, so both gateways apply the rules of their own config.
 *
 * Each failed rule has its own `GW_ERR_POLICY_*` code and a message a window officer can act on.
 * Messages never contain names or ID numbers: they reach operational logs.
 */
import type { AgreementPolicy, MaterialKind } from '../config/index.js';
import { GatewayError, type ErrorCode } from '../errors.js';
import { isMemberCode, validateIdNumber, type PacketOf } from '../packets/index.js';
import { shanghaiDateOf } from './working-days.js';

/** A schema-valid application packet. */
export type ApplicationPacket = PacketOf<'newborn.application'>;

/** Chinese names of materials, for messages. */
export const MATERIAL_NAMES: Readonly<Record<MaterialKind, string>> = {
  'birth-certificate': '出生医学证明',
  'household-register': '户口簿',
  'marriage-certificate': '结婚证',
  'application-form': '申请书',
  'commitment-letter': '承诺书',
  'resident-registration': '常住人口登记表',
  'household-page': '户口簿个人信息页',
  other: '其他材料',
};

/** 家庭关系 (GB/T 4761) of a child to the household head: 子, 长女, 独生子 … */
const CHILD_OF_HEAD = /^(独生|长|次|三|四|五|六|七|八|九|十)?(子|女)$/;
/** Grandchild of the head (the head is the followed parent's father or mother): 孙子, 外孙女 … */
const GRANDCHILD_OF_HEAD = /^外?孙(子|女)$/;

function refuse(code: ErrorCode, message: string, path: string, rule: string): GatewayError {
  return new GatewayError(code, message, [{ path, message, rule }]);
}

/** `YYYY-MM-DD` plus `months` calendar months, clamped to the month's last day (02-29 + 12 → 02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d, last);
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The day of application: the window's acceptance time, as an Asia/Shanghai calendar day. */
export function applicationDay(p: ApplicationPacket): string {
  return shanghaiDateOf(new Date(p.payload.acceptance.acceptedAt));
}

function checkParentIds(p: ApplicationPacket): void {
  const birth = p.payload.newborn.birthDate;
  for (const role of ['father', 'mother'] as const) {
    const label = role === 'father' ? '父亲' : '母亲';
    const path = `/payload/${role}/idNumber`;
    const id = p.payload[role].idNumber;
    const r = validateIdNumber(id);
    if (!r.valid) {
      throw refuse(
        'GW_ERR_POLICY_PARENT_ID',
        `${label}的公民身份号码无效（校验码、出生日期或地区码错误），请核对`,
        path,
        'parent-id',
      );
    }
    // 81/82/83 (港澳台居民居住证) and 71 are valid GB 11643 forms, but no mainland 户籍 to join.
    if (!isMemberCode(`${id.slice(0, 2)}0000`)) {
      throw refuse(
        'GW_ERR_POLICY_PARENT_ID',
        `${label}的号码不是内地居民公民身份号码（居住证号码不能用于出生登记通办）`,
        path,
        'parent-id',
      );
    }
    const expected = role === 'father' ? 'male' : 'female';
    if (r.sex !== expected) {
      throw refuse(
        'GW_ERR_POLICY_PARENT_ID',
        `${label}的公民身份号码性别位与${label}身份不符，请核对父母信息是否填反`,
        path,
        'parent-id',
      );
    }
    if (r.birthDate >= birth) {
      throw refuse(
        'GW_ERR_POLICY_PARENT_ID',
        `${label}的出生日期不早于新生儿出生日期，请核对`,
        path,
        'parent-id',
      );
    }
  }
  if (p.payload.father.idNumber === p.payload.mother.idNumber) {
    throw refuse(
      'GW_ERR_POLICY_PARENT_ID',
      '父亲与母亲的公民身份号码相同，请核对',
      '/payload/mother/idNumber',
      'parent-id',
    );
  }
}

function checkAge(p: ApplicationPacket, months: number): void {
  const birth = p.payload.newborn.birthDate;
  const day = applicationDay(p);
  const path = '/payload/newborn/birthDate';
  if (birth > day) {
    throw refuse(
      'GW_ERR_POLICY_NEWBORN_AGE',
      `新生儿出生日期晚于申请日期（${day}），请核对`,
      path,
      'newborn-age',
    );
  }
  const limit = addMonths(birth, months);
  if (day > limit) {
    const span = months % 12 === 0 ? `${months / 12}周岁` : `${months}个月`;
    throw refuse(
      'GW_ERR_POLICY_NEWBORN_AGE',
      `新生儿申报时已超过${span}（申请日 ${day}，最迟应于 ${limit} 前申报），不符合本协议通办条件，请到户籍地办理出生登记`,
      path,
      'newborn-age',
    );
  }
}

function checkMaterials(p: ApplicationPacket, required: readonly MaterialKind[]): void {
  const present = new Set((p.attachments ?? []).map((a) => a.kind));
  const missing = required.filter((k) => !present.has(k));
  if (missing.length > 0) {
    const names = missing.map((k) => `${MATERIAL_NAMES[k]}（${k}）`).join('、');
    throw new GatewayError(
      'GW_ERR_POLICY_MATERIALS_MISSING',
      `缺少本协议要求的申请材料：${names}，请补充扫描件后重新提交`,
      missing.map((k) => ({
        path: '/attachments',
        message: `缺少${MATERIAL_NAMES[k]}`,
        rule: 'materials',
        kind: k,
      })),
    );
  }
}

function checkMarriage(p: ApplicationPacket): void {
  const m = p.payload.marriage;
  const path = '/payload/marriage';
  if (!m || m.certificateNo.trim() === '' || m.registeredOn.trim() === '') {
    throw refuse(
      'GW_ERR_POLICY_MARRIAGE_MISSING',
      '未填写结婚证信息（结婚证号及登记日期），婚内生育方可通办入户',
      path,
      'marriage',
    );
  }
  if (m.registeredOn > applicationDay(p)) {
    throw refuse(
      'GW_ERR_POLICY_MARRIAGE_MISSING',
      '结婚登记日期晚于申请日期，请核对结婚证信息',
      `${path}/registeredOn`,
      'marriage',
    );
  }
}

const inMember = (region: string, member: string): boolean => region.slice(0, 2) === member.slice(0, 2);

function checkHukou(p: ApplicationPacket, receivingMember: string): void {
  const { father, mother } = p.payload;
  if (!inMember(father.hukouRegion, receivingMember) && !inMember(mother.hukouRegion, receivingMember)) {
    throw refuse(
      'GW_ERR_POLICY_HUKOU_REGION',
      `父母双方户籍均不在户籍地（${receivingMember}）辖区内，不能向该地申报入户`,
      '/payload/father/hukouRegion',
      'hukou-region',
    );
  }
}

function checkHousehold(p: ApplicationPacket, receivingMember: string): void {
  const { household, newborn } = p.payload;
  const followed = household.follows === 'father' ? p.payload.father : p.payload.mother;
  const other = household.follows === 'father' ? p.payload.mother : p.payload.father;
  const who = household.follows === 'father' ? '父亲' : '母亲';
  const otherWho = household.follows === 'father' ? '母亲' : '父亲';
  const fail = (message: string, path: string): GatewayError =>
    refuse('GW_ERR_POLICY_HOUSEHOLD', message, path, 'household');
  // The child joins the followed parent's household, so that parent must be registered there.
  if (!inMember(followed.hukouRegion, receivingMember)) {
    throw fail(
      `申报随${who}入户，但${who}的户籍不在户籍地（${receivingMember}）辖区内`,
      '/payload/household/follows',
    );
  }
  const head = household.headName.trim();
  const relation = household.relationToHead.trim();
  if (head === followed.name.trim()) {
    if (!CHILD_OF_HEAD.test(relation)) {
      throw fail(
        `户主为${who}本人时，新生儿与户主关系应为“子”或“女”，申报为“${relation}”`,
        '/payload/household/relationToHead',
      );
    }
  } else if (head === other.name.trim()) {
    throw fail(
      `申报随${who}入户，但户主为${otherWho}，请核对随父/随母或户主信息`,
      '/payload/household/headName',
    );
  } else if (!GRANDCHILD_OF_HEAD.test(relation)) {
    // A head who is neither parent must be the followed parent's own parent (孙子女 / 外孙子女):
    // anything else would put the child into a third person's household.
    throw fail(
      `新生儿只能入${who}所在的家庭户：户主不是${who}时，与户主关系应为孙子女或外孙子女，申报为“${relation}”`,
      '/payload/household/relationToHead',
    );
  }
  const sex = relation.endsWith('子') ? 'male' : 'female';
  if (sex !== newborn.sex) {
    throw fail(`与户主关系“${relation}”与新生儿性别不符`, '/payload/household/relationToHead');
  }
}

/**
 * Checks an application against an agreement policy; throws on the first failed rule.
 * @param receivingMember the 户籍地 (the packet's `to.member`)
 * @throws GatewayError `GW_ERR_POLICY_PARENT_ID`, `GW_ERR_POLICY_NEWBORN_AGE`,
 *   `GW_ERR_POLICY_MATERIALS_MISSING`, `GW_ERR_POLICY_MARRIAGE_MISSING`, `GW_ERR_POLICY_HUKOU_REGION`,
 *   `GW_ERR_POLICY_HOUSEHOLD`, `GW_ERR_POLICY_COMMITMENT_MISSING`
 */
export function checkEligibility(
  p: ApplicationPacket,
  policy: AgreementPolicy,
  receivingMember: string,
): void {
  if (policy.parentIdNumbersValid) checkParentIds(p);
  if (policy.newbornMaxAgeMonths !== undefined) checkAge(p, policy.newbornMaxAgeMonths);
  if (policy.requiredAttachments && policy.requiredAttachments.length > 0)
    checkMaterials(p, policy.requiredAttachments);
  if (policy.marriageCertificateRequired) checkMarriage(p);
  if (policy.parentHukouInReceivingMember) checkHukou(p, receivingMember);
  if (policy.householdFollowsParent) checkHousehold(p, receivingMember);
  if (policy.commitmentRequired && p.payload.acceptance.commitmentSigned !== true) {
    throw refuse(
      'GW_ERR_POLICY_COMMITMENT_MISSING',
      '申请人未签署承诺书，请签署后重新提交',
      '/payload/acceptance/commitmentSigned',
      'commitment',
    );
  }
}
