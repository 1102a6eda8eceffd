import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SAMPLE = join(import.meta.dirname, '../../samples/newborn-application.yangtze.json');

/**
 * The 长三角 sample application (上海 → 浙江) with a fresh id and case id from `tag` and `n`;
 * `to: '320000'` readdresses it to 江苏 (office, father's 户籍 and household number follow).
 */
export function samplePacket(
  tag: string,
  n: number,
  to: '330000' | '320000' = '330000',
): Record<string, unknown> & { id: string } {
  const p = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown> & { id: string };
  const hex = Buffer.from(tag).toString('hex').padEnd(2, '0').slice(0, 2);
  p.id = `${hex}${String(n).padStart(6, '0')}-2222-4333-8444-555555555555`;
  p.caseId = `310110-20261123-${hex.replace(/[a-f]/g, '9').slice(0, 1)}${String(n).padStart(5, '0')}`;
  if (to === '320000') {
    const payload = p.payload as {
      father: { hukouRegion: string };
      household: { householdNo: string; address: string };
    };
    p.to = { member: '320000', office: '320102530000', officeName: '南京市公安局玄武分局梅园新村派出所' };
    payload.father.hukouRegion = '320102';
    payload.household.householdNo = '320102001234';
    payload.household.address = '江苏省南京市玄武区长江路1号';
  }
  return p;
}
