/**
 * A one-page A4 form (title, labelled fields, footer) as a small hand-written PDF (ISO 32000-1):
 * the printable side of every sealed document (常住人口登记表, 户口簿个人信息页, 受理回执单,
 * 不予受理告知书).
 *
 * Why PDF and how Chinese is shown: the values are Chinese (names, places), so a pinyin-only
 * rendering would lose the record, and a PNG would need a font rasteriser we do not have. PDF
 * solves this without embedding a font: Chinese runs use the Type0 font `STSong-Light` with the
 * predefined CMap `UniGB-UTF16-H` (Adobe-GB1 collection, PDF 1.5+), which Acrobat and
 * pdf.js/poppler-based viewers map to an installed Song/Ming face; ASCII runs use the standard
 * Helvetica. Text stays extractable and searchable. A viewer without any CJK font shows boxes
 * for the Chinese glyphs, but the English labels, digits and ID numbers remain legible, and
 * the sealed bytes are what the seals prove — not their rendering.
 *
 * Output is deterministic (no creation date): the same form gives the same bytes and digest.
 */

/** One labelled line of a form: Chinese label, English label, value (wrapped when long). */
export type FormField = readonly [zhLabel: string, enLabel: string, value: string];

/** What `renderFormPdf` draws. */
export interface FormPage {
  /** Chinese and English title. */
  readonly title: readonly [zh: string, en: string];
  readonly fields: readonly FormField[];
  /** Small print at the bottom. */
  readonly footer: string;
  /** Document title in the PDF's Info dictionary. */
  readonly infoTitle: string;
}

type Run = { readonly cjk: boolean; readonly text: string };

function runs(text: string): Run[] {
  const out: Run[] = [];
  for (const ch of text) {
    const cjk = ch.codePointAt(0)! > 0x7e;
    const last = out[out.length - 1];
    if (last && last.cjk === cjk) out[out.length - 1] = { cjk, text: last.text + ch };
    else out.push({ cjk, text: ch });
  }
  return out;
}

/** Approximate advance in ems, for wrapping: CJK glyphs are square, Helvetica about half. */
function ems(text: string): number {
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0)! > 0x7e ? 1 : 0.56;
  return w;
}

function wrap(text: string, maxEms: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of text) {
    if (ems(line + ch) > maxEms && line !== '') {
      lines.push(line);
      line = '';
    }
    line += ch;
  }
  return [...lines, line];
}

function utf16Hex(text: string): string {
  const buf = Buffer.from(text, 'utf16le');
  buf.swap16();
  return buf.toString('hex').toUpperCase();
}

function literal(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/** Text-showing operators for one line at (x, y). */
function line(x: number, y: number, size: number, text: string): string {
  const shown = runs(text)
    .map((r) => (r.cjk ? `/F1 ${size} Tf <${utf16Hex(r.text)}> Tj` : `/F2 ${size} Tf ${literal(r.text)} Tj`))
    .join(' ');
  return `BT 1 0 0 1 ${x} ${y} Tm ${shown} ET`;
}

function contentStream(page: FormPage): string {
  const [zh, en] = page.title;
  const ops: string[] = [line(72, 780, 22, zh), line(72, 758, 11, en), '0.6 w 72 745 m 523 745 l S'];
  let y = 715;
  for (const [zhLabel, enLabel, value] of page.fields) {
    ops.push(line(72, y, 12, zhLabel), line(72, y - 11, 8, enLabel));
    for (const part of wrap(value, 26)) {
      ops.push(line(200, y, 12, part));
      y -= 16;
    }
    y -= 12;
  }
  ops.push(line(72, Math.min(y, 90), 8, page.footer));
  return ops.join('\n');
}

/** Render a form as a one-page A4 PDF. */
export function renderFormPdf(page: FormPage): Buffer {
  const content = contentStream(page);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R /F2 7 0 R >> >> /Contents 8 0 R >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H /DescendantFonts [5 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 6 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    `<< /Title <FEFF${utf16Hex(page.infoTitle)}> /Producer (Tongban Gateway) >>`,
  ];
  let pdf = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
