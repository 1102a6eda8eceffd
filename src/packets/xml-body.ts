/**
 * XML bodies: charset from BOM / XML declaration / Content-Type, strict decoding, refusal of
 * DTDs before any parser sees them (no entity expansion, no billion laughs), a depth and
 * single-root pre-scan, then xml2js and the schema-driven coercion.
 */
import xml2js from 'xml2js';
import { GatewayError } from '../errors.js';
import { decodeStrict, requireCharset, type SupportedCharset } from './charset.js';
import { XML_ATTR_KEY, XML_TEXT_KEY, type XmlCoercer } from './xml-coerce.js';

/** Deepest element nesting accepted; packets need about 6. */
export const MAX_XML_DEPTH = 64;

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.\d+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/;

const malformed = (hint?: string): GatewayError =>
  new GatewayError(
    'GW_ERR_API_MALFORMED_XML',
    `Body is not well-formed XML${hint === undefined ? '' : ` (${hint})`}`,
  );

/**
 * Works out the charset from what the sender declared. The declaration is ASCII in every
 * supported charset, so it can be read from the raw bytes before decoding.
 */
export function xmlCharset(bytes: Buffer, headerCharset: string | undefined): SupportedCharset {
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw new GatewayError(
      'GW_ERR_API_UNSUPPORTED_CHARSET',
      'UTF-16 is not supported; use UTF-8, GBK or GB18030',
    );
  }
  const hasBom = bytes.subarray(0, 3).equals(UTF8_BOM);
  const head = bytes.subarray(hasBom ? 3 : 0, (hasBom ? 3 : 0) + 512).toString('latin1');
  let declared: string | undefined;
  if (/^<\?xml[ \t\r\n]/.test(head)) {
    const m = XML_DECL.exec(head);
    if (m === null) throw malformed('invalid XML declaration');
    declared = m[3];
  }
  const fromDecl = declared === undefined ? undefined : requireCharset(declared, 'the XML declaration');
  const fromHeader = headerCharset === undefined ? undefined : requireCharset(headerCharset, 'Content-Type');
  const sources: [string, SupportedCharset][] = [];
  if (hasBom) sources.push(['byte-order mark', 'utf-8']);
  if (fromDecl) sources.push([`XML declaration (${declared ?? ''})`, fromDecl]);
  if (fromHeader) sources.push([`Content-Type (${headerCharset ?? ''})`, fromHeader]);
  for (const [where, cs] of sources.slice(1)) {
    if (cs !== sources[0]![1]) {
      throw new GatewayError(
        'GW_ERR_API_CHARSET_MISMATCH',
        `Character set in the ${sources[0]![0]} disagrees with the ${where}`,
      );
    }
  }
  // XML 1.0 §4.3.3: without BOM or declaration the document is UTF-8.
  return sources[0]?.[1] ?? 'utf-8';
}

/** Line/column of an offset, for short position hints. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** A reference XML defines without a DTD (XML 1.0 §4.6, §4.1): the five entities or a character reference. */
const PREDEFINED_REFERENCE = /^&(?:amp|lt|gt|quot|apos|#[0-9]{1,10}|#x[0-9A-Fa-f]{1,8});/;

/**
 * Cheap structural pass over the decoded text: bounded depth (xml2js itself has no limit),
 * exactly one root element (xml2js silently drops a second one), and no reference to an entity
 * XML does not predefine: sax, under xml2js, would otherwise expand HTML names such as `&nbsp;`
 * and `&copy;` that no DTD declared, accepting a document that is not well-formed.
 */
export function prescanXml(text: string, maxDepth: number = MAX_XML_DEPTH): void {
  let depth = 0;
  let roots = 0;
  let i = 0;
  // One forward pointer over '&'s keeps the reference check linear; those inside comments,
  // CDATA and processing instructions fall between the checked ranges and are skipped.
  let amp = text.indexOf('&');
  const checkReferences = (from: number, to: number): void => {
    while (amp !== -1 && amp < to) {
      if (amp >= from && !PREDEFINED_REFERENCE.test(text.slice(amp, amp + 24))) {
        throw malformed(`undefined entity or bare & at ${position(text, amp)}`);
      }
      amp = text.indexOf('&', amp + 1);
    }
  };
  const skipTo = (end: string, from: number): number => {
    const j = text.indexOf(end, from);
    if (j === -1) throw malformed(`unterminated markup at ${position(text, from)}`);
    return j + end.length;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    checkReferences(i, lt === -1 ? text.length : lt);
    if (lt === -1) break;
    if (text.startsWith('<?', lt)) i = skipTo('?>', lt + 2);
    else if (text.startsWith('<!--', lt)) i = skipTo('-->', lt + 4);
    else if (text.startsWith('<![CDATA[', lt)) i = skipTo(']]>', lt + 9);
    else if (text.startsWith('<!', lt)) throw malformed(`unexpected markup at ${position(text, lt)}`);
    else if (text.startsWith('</', lt)) {
      depth -= 1;
      i = skipTo('>', lt + 2);
    } else {
      // Start tag: find its '>' outside quoted attribute values.
      let j = lt + 1;
      let quote = '';
      for (; j < text.length; j += 1) {
        const c = text[j]!;
        if (quote !== '') {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (j >= text.length) throw malformed(`unterminated tag at ${position(text, lt)}`);
      checkReferences(lt, j);
      if (depth === 0) {
        roots += 1;
        if (roots > 1) throw malformed(`second root element at ${position(text, lt)}`);
      }
      if (text[j - 1] !== '/') {
        depth += 1;
        if (depth > maxDepth) throw malformed(`nesting deeper than ${maxDepth} levels`);
      }
      i = j + 1;
    }
  }
  if (roots === 0) throw malformed('no root element');
}

/** Parses text with xml2js synchronously (its callback runs synchronously for string input). */
function runXml2js(text: string): Record<string, unknown> {
  const parser = new xml2js.Parser({
    explicitArray: false,
    explicitRoot: true,
    attrkey: XML_ATTR_KEY,
    charkey: XML_TEXT_KEY,
    trim: false,
    normalize: false,
    async: false,
    strict: true,
  });
  let result: unknown;
  let failure: unknown;
  parser.parseString(text, (err: Error | null, res: unknown) => {
    if (err) failure ??= err;
    else result = res;
  });
  if (failure !== undefined || result === null || typeof result !== 'object') {
    // Keep only sax's line/column (0-based line); its message text is parser internals.
    const msg = failure instanceof Error ? failure.message : '';
    const m = /Line: (\d+)\s+Column: (\d+)/.exec(msg);
    throw malformed(m ? `line ${Number(m[1]) + 1}, column ${m[2]}` : undefined);
  }
  return result as Record<string, unknown>;
}

/**
 * Parses an XML packet body into the same value its JSON form would parse to.
 * @param bytes raw body
 * @param headerCharset `charset` parameter of the Content-Type, if any
 * @param coercer schema-driven coercion for the packet schema
 */
export function parseXmlBody(bytes: Buffer, headerCharset: string | undefined, coercer: XmlCoercer): unknown {
  const charset = xmlCharset(bytes, headerCharset);
  let text = decodeStrict(bytes, charset);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  // Refuse DTDs outright, before parsing: internal subsets are how entity-expansion (billion
  // laughs) and external-entity attacks get in, and packets never need one.
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) {
    throw new GatewayError('GW_ERR_API_XML_DOCTYPE', 'XML with a DOCTYPE or entity declaration is refused');
  }
  prescanXml(text);
  const tree = runXml2js(text);
  const names = Object.keys(tree);
  if (names.length !== 1 || names[0] !== 'packet') {
    throw new GatewayError(
      'GW_ERR_PACKET_SCHEMA',
      'Packet does not match its schema: the root element must be <packet>',
      [{ path: '', message: 'root element must be <packet>' }],
    );
  }
  let content = tree.packet;
  if (
    content !== null &&
    typeof content === 'object' &&
    !Array.isArray(content) &&
    Object.hasOwn(content, XML_ATTR_KEY)
  ) {
    // Namespace declarations on the root are harmless; any other attribute is refused by the coercer.
    const { [XML_ATTR_KEY]: attrs, ...rest } = content as Record<string, unknown>;
    const other = Object.keys(attrs as Record<string, unknown>).filter(
      (a) => a !== 'xmlns' && !a.startsWith('xmlns:'),
    );
    content = other.length === 0 ? rest : content;
  }
  return coercer.coerce(content);
}
