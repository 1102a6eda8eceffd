import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderResidentRegistration } from '../../src/seal/index.js';
import { REGISTRATION } from './fixtures.js';

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const utf16 = (s: string): string => Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase();

describe('renderResidentRegistration (PDF)', () => {
  const pdf = renderResidentRegistration(REGISTRATION);
  const text = pdf.toString('latin1');

  it('is a well-formed PDF: header, objects where the xref says, trailer', () => {
    expect(text.startsWith('%PDF-1.7\n')).toBe(true);
    expect(text.endsWith('%%EOF\n')).toBe(true);
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
    expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
    const [, count] = /^xref\n0 (\d+)\n/.exec(text.slice(startxref))!;
    const entries = text
      .slice(startxref)
      .split('\n')
      .slice(3, 2 + Number(count));
    entries.forEach((e, i) => {
      expect(e).toMatch(/^\d{10} 00000 n $/);
      expect(text.slice(Number(e.slice(0, 10))).startsWith(`${i + 1} 0 obj\n`)).toBe(true);
    });
    const length = Number(/\/Length (\d+) >>\nstream\n/.exec(text)![1]);
    const start = text.indexOf('stream\n') + 7;
    expect(text.slice(start + length, start + length + 10)).toBe('\nendstream');
  });

  it('shows the Chinese values in the CJK font and the English labels in Helvetica', () => {
    for (const v of [REGISTRATION.name, REGISTRATION.address.slice(0, 10), '常住人口登记表'])
      expect(text).toContain(utf16(v));
    expect(text).toContain('(330102202611020028) Tj');
    expect(text).toContain('/Encoding /UniGB-UTF16-H');
  });

  it('is deterministic and titles the household page differently', () => {
    expect(renderResidentRegistration(REGISTRATION).equals(pdf)).toBe(true);
    expect(renderResidentRegistration(REGISTRATION, { kind: 'household-page' }).toString('latin1')).toContain(
      utf16('户口簿 常住人口登记卡'),
    );
  });

  it.skipIf(!hasTool('pdftotext'))('poppler extracts the record as text', () => {
    const path = join(tmpdir(), `rr-${process.pid}.pdf`);
    writeFileSync(path, pdf);
    const out = execFileSync('pdftotext', ['-layout', path, '-']).toString();
    for (const v of [
      '常住人口登记表',
      '徐小雨',
      '330102202611020028',
      '浙江省杭州市上城区湖滨街道东坡路1号',
      '徐明（父）',
    ])
      expect(out).toContain(v);
  });
});
