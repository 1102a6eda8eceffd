/**
 * Character sets the gateway accepts and strict decoding: provincial systems still send GBK,
 * and a mislabelled body must be refused rather than stored as mojibake.
 */
import iconv from 'iconv-lite';
import { GatewayError } from '../errors.js';

/** Character sets the gateway decodes. */
export type SupportedCharset = 'utf-8' | 'gbk' | 'gb18030';

// GB2312 is a subset of GBK, and CP936 is Microsoft's GBK; decoding them as GBK is lossless.
const ALIASES: ReadonlyMap<string, SupportedCharset> = new Map([
  ['utf-8', 'utf-8'],
  ['utf8', 'utf-8'],
  ['gbk', 'gbk'],
  ['gb2312', 'gbk'],
  ['cp936', 'gbk'],
  ['x-gbk', 'gbk'],
  ['windows-936', 'gbk'],
  ['gb18030', 'gb18030'],
]);

/** Maps a charset label to the charset used for decoding, or `undefined` when unsupported. */
export function normalizeCharset(label: string): SupportedCharset | undefined {
  return ALIASES.get(label.trim().toLowerCase());
}

/** Like {@link normalizeCharset}, but refuses with `GW_ERR_API_UNSUPPORTED_CHARSET`. */
export function requireCharset(label: string, where: string): SupportedCharset {
  const cs = normalizeCharset(label);
  if (cs === undefined) {
    throw new GatewayError(
      'GW_ERR_API_UNSUPPORTED_CHARSET',
      `Unsupported character set ${JSON.stringify(label.slice(0, 40))} in ${where}; use UTF-8, GBK or GB18030`,
    );
  }
  return cs;
}

// GB18030 can encode U+FFFD itself (as 84 31 A4 37); those are not decoding failures.
const GB18030_FFFD = Buffer.from([0x84, 0x31, 0xa4, 0x37]);

function countOccurrences(haystack: Buffer, needle: Buffer): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n += 1;
  return n;
}

/** Non-ASCII bytes needed before a GBK-declared body is judged to be UTF-8 (twelve Chinese characters in GBK). */
const UTF8_EVIDENCE_BYTES = 24;

/**
 * True when `bytes` carry enough non-ASCII content and all of it is valid UTF-8. UTF-8 Chinese
 * mislabelled GBK often decodes without a single invalid sequence (three-byte characters pair up
 * as GBK double bytes), so the strict decoder alone lets it through as mojibake. The converse is
 * negligible: measured over random common (GB2312 level 1) characters, GBK text is valid UTF-8
 * with odds 0.18 per character, 5×10⁻⁶ for eight and about 10⁻⁹ for twelve; packets carry
 * dozens of characters (names, offices, addresses).
 */
function looksLikeUtf8(bytes: Buffer): boolean {
  let nonAscii = 0;
  for (const b of bytes) if (b >= 0x80) nonAscii += 1;
  if (nonAscii < UTF8_EVIDENCE_BYTES) return false;
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes bytes strictly. UTF-8 uses a fatal decoder; GBK/GB18030 go through iconv-lite, which
 * substitutes U+FFFD for invalid sequences, so any replacement character it produced means the
 * bytes were not in that charset (e.g. UTF-8 text labelled GBK). A leading BOM is kept.
 * @throws GatewayError `GW_ERR_API_BAD_ENCODING`, `GW_ERR_API_CHARSET_MISMATCH` (declared GBK or
 *   GB18030 but the bytes are UTF-8)
 */
export function decodeStrict(bytes: Buffer, charset: SupportedCharset): string {
  if (charset === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new GatewayError('GW_ERR_API_BAD_ENCODING', 'Body bytes are not valid UTF-8');
    }
  }
  if (looksLikeUtf8(bytes)) {
    throw new GatewayError(
      'GW_ERR_API_CHARSET_MISMATCH',
      `Body is declared ${charset.toUpperCase()} but its bytes are UTF-8`,
    );
  }
  const text = iconv.decode(bytes, charset, { stripBOM: false });
  let replaced = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) replaced += 1;
  const legitimate = charset === 'gb18030' ? countOccurrences(bytes, GB18030_FFFD) : 0;
  if (replaced > legitimate) {
    throw new GatewayError('GW_ERR_API_BAD_ENCODING', `Body bytes are not valid ${charset.toUpperCase()}`);
  }
  return text;
}
