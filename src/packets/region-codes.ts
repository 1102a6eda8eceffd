/**
 * Province-level codes of GB/T 2260 (中华人民共和国行政区划代码), the first two digits of every
 * region code, member code and 公民身份号码. A full county table changes yearly; the province
 * level is stable and is what the gateway can check without a data feed.
 */

/** GB/T 2260 province-level codes → names (mainland 31, plus 台湾 71, 香港 81, 澳门 82). */
export const PROVINCE_CODES: ReadonlyMap<string, string> = new Map([
  ['11', '北京市'],
  ['12', '天津市'],
  ['13', '河北省'],
  ['14', '山西省'],
  ['15', '内蒙古自治区'],
  ['21', '辽宁省'],
  ['22', '吉林省'],
  ['23', '黑龙江省'],
  ['31', '上海市'],
  ['32', '江苏省'],
  ['33', '浙江省'],
  ['34', '安徽省'],
  ['35', '福建省'],
  ['36', '江西省'],
  ['37', '山东省'],
  ['41', '河南省'],
  ['42', '湖北省'],
  ['43', '湖南省'],
  ['44', '广东省'],
  ['45', '广西壮族自治区'],
  ['46', '海南省'],
  ['50', '重庆市'],
  ['51', '四川省'],
  ['52', '贵州省'],
  ['53', '云南省'],
  ['54', '西藏自治区'],
  ['61', '陕西省'],
  ['62', '甘肃省'],
  ['63', '青海省'],
  ['64', '宁夏回族自治区'],
  ['65', '新疆维吾尔自治区'],
  ['71', '台湾省'],
  ['81', '香港特别行政区'],
  ['82', '澳门特别行政区'],
]);

/**
 * Prefixes that are valid at the start of a 公民身份号码 although they are no GB/T 2260
 * province: 港澳台居民居住证 numbers begin 810000 / 820000 / 830000 (830000 for 台湾).
 */
const RESIDENCE_PERMIT_PREFIXES: ReadonlySet<string> = new Set(['83']);

// Members are provincial public-security departments of the mainland; 71/81/82 run no gateway.
const NON_MEMBER_PROVINCES: ReadonlySet<string> = new Set(['71', '81', '82']);

/** True when `code2` (two digits) is a GB/T 2260 province code. */
export function isKnownProvince(code2: string): boolean {
  return PROVINCE_CODES.has(code2);
}

/** True when a 公民身份号码 may begin with these two digits (province or residence-permit prefix). */
export function isIdNumberProvince(code2: string): boolean {
  return PROVINCE_CODES.has(code2) || RESIDENCE_PERMIT_PREFIXES.has(code2);
}

/** True when `code` is a mainland province member code `NN0000`. */
export function isMemberCode(code: string): boolean {
  return (
    /^\d{2}0000$/.test(code) &&
    isKnownProvince(code.slice(0, 2)) &&
    !NON_MEMBER_PROVINCES.has(code.slice(0, 2))
  );
}

/** True when `code` is six digits with a known province prefix. */
export function isRegionCode(code: string): boolean {
  return /^\d{6}$/.test(code) && isKnownProvince(code.slice(0, 2));
}
