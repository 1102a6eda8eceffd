/** Packet builders for the case tests, from the repo's samples (ids reply to each other). */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { DevNode } from '../../src/demo/index.js';
import type { PacketOf } from '../../src/packets/index.js';
import { waitFor } from '../helpers/wait.js';

export type Application = PacketOf<'newborn.application'>;
export type Decision = PacketOf<'newborn.decision'>;
export type Completion = PacketOf<'newborn.completion'>;

export const SAMPLES = join(import.meta.dirname, '../../samples');

function sample<T>(name: string): T {
  return JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as T;
}

/** The 长三角 application sample (上海 → 浙江), unchanged. */
export const yangtzeApplication = (): Application => sample<Application>('newborn-application.yangtze.json');
export const approvedDecision = (): Decision => sample<Decision>('newborn-decision.approved.json');
export const rejectedDecision = (): Decision => sample<Decision>('newborn-decision.rejected.json');
export const completionSample = (): Completion => sample<Completion>('newborn-completion.json');

/** The GBK XML 川渝黔 sample's bytes (重庆 → 贵州). */
export const cyqXml = (): Buffer => readFileSync(join(SAMPLES, 'newborn-application.chuan-yu-qian.gbk.xml'));

/** The 川渝黔 sample as the JSON packet it stands for (same content as the XML). */
export function cyqApplication(): Application {
  const xml = iconv.decode(cyqXml(), 'gbk');
  const y = yangtzeApplication();
  const tag = (t: string): string => new RegExp(`<${t}>([^<]*)</${t}>`).exec(xml)![1]!;
  return {
    ...y,
    id: tag('id'),
    caseId: tag('caseId'),
    from: { member: '500000', office: '500103530000', officeName: '重庆市公安局渝中区分局解放碑派出所' },
    to: { member: '520000', office: '520102530000', officeName: '贵阳市公安局南明分局花果园派出所' },
    agreement: 'chuan-yu-qian',
    createdAt: '2026-11-23T10:00:00+08:00',
    payload: {
      applicant: { name: '李娜', idNumber: '520102199307080043', relation: 'mother', phone: '13900000000' },
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
  };
}

/** A fresh 长三角 application numbered `n`: own id, case id and 出生医学证明 number. */
export function application(n: number, certificateNo = `Q3${String(n).padStart(8, '0')}`): Application {
  const p = yangtzeApplication();
  p.id = randomUUID();
  p.caseId = `310110-20261123-${String(n).padStart(6, '0')}`;
  p.payload.newborn.birthCertificateNo = certificateNo;
  return p;
}

/** An approval of `app` by 浙江 (the approved sample re-addressed). */
export function approval(app: Application): Decision {
  return { ...approvedDecision(), id: randomUUID(), caseId: app.caseId, inReplyTo: app.id };
}

/** A completion of `app` after `decision` by 上海. */
export function completion(app: Application, decision: Decision): Completion {
  return { ...completionSample(), id: randomUUID(), caseId: app.caseId, inReplyTo: decision.id };
}

/** GET /v1/cases/:caseId as `node`'s population system. */
export async function getCase(
  node: DevNode,
  caseId: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return node.client.call('GET', `/v1/cases/${caseId}`);
}

/** Waits until the case is in `state` on `node`; returns the view. */
export function waitCase(node: DevNode, caseId: string, state: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const r = await getCase(node, caseId);
    return r.status === 200 && r.json.state === state ? r.json : undefined;
  });
}

/** History as both sides must agree on it: state, packet, who. */
export const steps = (view: Record<string, unknown>): string[][] =>
  (view.history as Array<{ state: string; packetId: string; by: string }>).map((h) => [
    h.state,
    h.packetId,
    h.by,
  ]);
