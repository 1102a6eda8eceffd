import { describe, expect, it } from 'vitest';
import { renderAcceptanceReceipt, renderRefusalNotice } from '../../src/seal/index.js';

const utf16 = (s: string): string => Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase();

const BASE = {
  caseId: '310110-20261123-000001',
  packetId: '7d0c6a52-1b7e-4f0b-9c55-2f6a8d1e0a11',
  applicantName: '徐明',
  newbornName: '徐小雨',
  acceptingOffice: '上海市公安局杨浦分局大桥派出所',
  registeringOffice: '杭州市公安局上城区分局湖滨派出所',
  agreement: 'yangtze-delta',
  officer: '陈警官',
  at: '2026-11-23T09:58:00+08:00',
};

/** Offsets in the xref table point at the objects they name. */
function xrefConsistent(pdf: Buffer): boolean {
  const text = pdf.toString('latin1');
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
  const rows = text.slice(startxref).split('\n').slice(3, 12);
  return rows.every((r, i) => text.slice(Number(r.slice(0, 10))).startsWith(`${i + 1} 0 obj\n`));
}

describe('受理回执单 and 不予受理告知书 (PDF)', () => {
  it('renders the acceptance receipt with the case, the people and the receipt digest', () => {
    const pdf = renderAcceptanceReceipt({ ...BASE, receiptDigest: 'sm3:ab12' });
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-1.7\n')).toBe(true);
    expect(xrefConsistent(pdf)).toBe(true);
    for (const s of ['受理回执单', '徐明', '徐小雨', BASE.acceptingOffice, '陈警官'])
      expect(text).toContain(utf16(s));
    expect(text).toContain(`(${BASE.caseId}) Tj`);
    expect(text).toContain('(sm3:ab12) Tj');
    expect(renderAcceptanceReceipt({ ...BASE, receiptDigest: 'sm3:ab12' }).equals(pdf)).toBe(true);
  });

  it('renders the refusal notice with the reason, and leaves out what is unknown', () => {
    const bare: Partial<typeof BASE> = { ...BASE };
    delete bare.applicantName;
    delete bare.newbornName;
    const pdf = renderRefusalNotice({
      ...(bare as typeof BASE),
      reasonCode: 'HOUSEHOLD_MISMATCH',
      reasonText: '申报入户的家庭户户主与户口簿记载不一致',
    });
    const text = pdf.toString('latin1');
    expect(xrefConsistent(pdf)).toBe(true);
    expect(text).toContain(utf16('不予受理告知书'));
    expect(text).toContain(utf16('申报入户的家庭户户主与户口簿记载不一致'));
    expect(text).toContain('(HOUSEHOLD_MISMATCH) Tj');
    expect(text).not.toContain(utf16('申请人'));
  });
});
