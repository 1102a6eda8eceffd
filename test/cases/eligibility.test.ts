import { describe, expect, it } from 'vitest';
import { addMonths, checkEligibility, type ApplicationPacket } from '../../src/cases/index.js';
import type { AgreementPolicy } from '../../src/config/index.js';
import { GatewayError, type ErrorCode } from '../../src/errors.js';
import { idNumberCheckChar } from '../../src/packets/index.js';
import { cyqApplication, yangtzeApplication } from './helpers.js';

const FULL: AgreementPolicy = {
  version: 'test-1',
  newbornMaxAgeMonths: 12,
  requiredAttachments: ['birth-certificate', 'household-register', 'marriage-certificate'],
  marriageCertificateRequired: true,
  parentHukouInReceivingMember: true,
  householdFollowsParent: true,
  parentIdNumbersValid: true,
  commitmentRequired: true,
};

/** The code `checkEligibility` refuses with, or 'ok'. */
function outcome(p: ApplicationPacket, policy: AgreementPolicy = FULL): ErrorCode | 'ok' {
  try {
    checkEligibility(p, policy, p.to.member);
    return 'ok';
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
}

const withId = (first17: string): string => first17 + idNumberCheckChar(first17);

describe('eligibility rules (each failing case beside its passing case)', () => {
  it('both samples pass the full policy', () => {
    expect(outcome(yangtzeApplication())).toBe('ok');
    expect(outcome(cyqApplication())).toBe('ok');
  });

  it('newborn age: exactly one year on the day of application passes, one day more fails', () => {
    const rule: AgreementPolicy = { version: 't', newbornMaxAgeMonths: 12 };
    const p = cyqApplication(); // applied 2026-11-23 (+08:00)
    p.payload.newborn.birthDate = '2025-11-23';
    expect(outcome(p, rule)).toBe('ok');
    p.payload.newborn.birthDate = '2025-11-22';
    expect(outcome(p, rule)).toBe('GW_ERR_POLICY_NEWBORN_AGE');
    // Born after the application: refused by the same rule, with its own message.
    p.payload.newborn.birthDate = '2026-11-24';
    expect(() => checkEligibility(p, rule, p.to.member)).toThrow(/晚于申请日期/);
    // The application day is the Shanghai day: 2026-11-22T16:30Z is already 11-23 in 上海.
    p.payload.newborn.birthDate = '2025-11-23';
    p.payload.acceptance.acceptedAt = '2026-11-22T16:30:00Z';
    expect(outcome(p, rule)).toBe('ok');
    // Without the rule, an older child is not checked here.
    p.payload.newborn.birthDate = '2024-01-01';
    expect(outcome(p, { version: 't' })).toBe('ok');
  });

  it('age arithmetic clamps to the month end', () => {
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2025-11-23', 12)).toBe('2026-11-23');
  });

  it('required materials: all present passes; a missing 结婚证 is named', () => {
    const rule: AgreementPolicy = {
      version: 't',
      requiredAttachments: ['birth-certificate', 'household-register', 'marriage-certificate'],
    };
    const p = yangtzeApplication();
    expect(outcome(p, rule)).toBe('ok');
    p.attachments = p.attachments!.filter((a) => a.kind !== 'marriage-certificate');
    expect(outcome(p, rule)).toBe('GW_ERR_POLICY_MATERIALS_MISSING');
    expect(() => checkEligibility(p, rule, p.to.member)).toThrow(/结婚证/);
    // 承诺书 as a scanned letter when a policy lists it.
    expect(outcome(yangtzeApplication(), { version: 't', requiredAttachments: ['commitment-letter'] })).toBe(
      'GW_ERR_POLICY_MATERIALS_MISSING',
    );
  });

  it('marriage certificate: present passes; absent or registered after the application fails', () => {
    const rule: AgreementPolicy = { version: 't', marriageCertificateRequired: true };
    const p = yangtzeApplication();
    expect(outcome(p, rule)).toBe('ok');
    delete p.payload.marriage;
    expect(outcome(p, rule)).toBe('GW_ERR_POLICY_MARRIAGE_MISSING');
    const q = yangtzeApplication();
    q.payload.marriage!.registeredOn = '2026-12-01';
    expect(outcome(q, rule)).toBe('GW_ERR_POLICY_MARRIAGE_MISSING');
  });

  it('hukou: one parent in the receiving member passes; neither fails', () => {
    const rule: AgreementPolicy = { version: 't', parentHukouInReceivingMember: true };
    const p = yangtzeApplication(); // to 330000
    p.payload.father.hukouRegion = '310110';
    expect(outcome(p, rule)).toBe('ok'); // the mother (330106) is registered in 浙江
    p.payload.mother.hukouRegion = '320102';
    expect(outcome(p, rule)).toBe('GW_ERR_POLICY_HUKOU_REGION');
  });

  it("household: 随父 into the father's household passes; the mother as head, a third person, or a wrong relation fails", () => {
    const rule: AgreementPolicy = { version: 't', householdFollowsParent: true };
    const ok = yangtzeApplication(); // follows father, head 徐明 (the father), relation 女, newborn female
    expect(outcome(ok, rule)).toBe('ok');

    const motherHead = yangtzeApplication();
    motherHead.payload.household.headName = '王丽';
    expect(outcome(motherHead, rule)).toBe('GW_ERR_POLICY_HOUSEHOLD');

    // The father's own father as head: the child is a grandchild — still the father's family household.
    const grandfather = yangtzeApplication();
    grandfather.payload.household.headName = '徐大山';
    grandfather.payload.household.relationToHead = '孙女';
    expect(outcome(grandfather, rule)).toBe('ok');
    grandfather.payload.household.relationToHead = '侄女'; // a third person's household
    expect(outcome(grandfather, rule)).toBe('GW_ERR_POLICY_HOUSEHOLD');

    const wrongSex = yangtzeApplication();
    wrongSex.payload.household.relationToHead = '子';
    expect(outcome(wrongSex, rule)).toBe('GW_ERR_POLICY_HOUSEHOLD');

    // 随母 while the mother is registered outside the receiving member.
    const followsMother = yangtzeApplication();
    followsMother.payload.household = {
      ...followsMother.payload.household,
      follows: 'mother',
      headName: '王丽',
    };
    expect(outcome(followsMother, rule)).toBe('ok'); // mother 330106 is in 浙江
    followsMother.payload.mother.hukouRegion = '310110';
    expect(outcome(followsMother, rule)).toBe('GW_ERR_POLICY_HOUSEHOLD');
  });

  it("parents' ID numbers: valid mainland numbers of the right sex pass; swapped, residence-permit or younger-than-child fail", () => {
    const rule: AgreementPolicy = { version: 't', parentIdNumbersValid: true };
    expect(outcome(yangtzeApplication(), rule)).toBe('ok');

    const swapped = yangtzeApplication();
    [swapped.payload.father.idNumber, swapped.payload.mother.idNumber] = [
      swapped.payload.mother.idNumber,
      swapped.payload.father.idNumber,
    ];
    expect(outcome(swapped, rule)).toBe('GW_ERR_POLICY_PARENT_ID');

    const permit = yangtzeApplication(); // 81: 香港居民居住证, a valid GB 11643 form but no mainland 户籍
    permit.payload.father.idNumber = withId('81000019920315001');
    expect(outcome(permit, rule)).toBe('GW_ERR_POLICY_PARENT_ID');

    const badCheck = yangtzeApplication();
    badCheck.payload.father.idNumber = '330102199203150012';
    expect(outcome(badCheck, rule)).toBe('GW_ERR_POLICY_PARENT_ID');

    const young = yangtzeApplication(); // a "father" born after the newborn (2026-11-02)
    young.payload.father.idNumber = withId('33010220261110001');
    expect(outcome(young, rule)).toBe('GW_ERR_POLICY_PARENT_ID');
  });

  it('承诺书: signed passes, unsigned fails', () => {
    const rule: AgreementPolicy = { version: 't', commitmentRequired: true };
    const p = yangtzeApplication();
    expect(outcome(p, rule)).toBe('ok');
    p.payload.acceptance.commitmentSigned = false;
    expect(outcome(p, rule)).toBe('GW_ERR_POLICY_COMMITMENT_MISSING');
  });

  it('messages are for window officers and carry no names or ID numbers', () => {
    const p = yangtzeApplication();
    p.payload.father.hukouRegion = '310110';
    p.payload.mother.hukouRegion = '320102';
    try {
      checkEligibility(p, FULL, p.to.member);
      expect.unreachable();
    } catch (err) {
      const e = err as GatewayError;
      expect(e.status).toBe(422);
      expect(e.message).toMatch(/户籍/);
      const text = JSON.stringify(e.toBody());
      for (const secret of ['徐明', '王丽', '徐小雨', p.payload.father.idNumber, p.payload.mother.idNumber])
        expect(text).not.toContain(secret);
    }
  });
});
