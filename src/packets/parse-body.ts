/**
 * Request body → packet-shaped value, for both media types the API accepts. The result is
 * untrusted: it still has to pass {@link createPacketValidator}.
 */
import { GatewayError } from '../errors.js';
import { decodeStrict, requireCharset } from './charset.js';
import { loadPacketSchemas, PACKET_SCHEMA_ID } from './schemas.js';
import { XmlCoercer } from './xml-coerce.js';
import { parseXmlBody } from './xml-body.js';

/** Deepest array/object nesting accepted in JSON; packets need about 6. */
export const MAX_JSON_DEPTH = 64;

/** A parsed `Content-Type` header. */
export interface ContentType {
  /** Lower-case `type/subtype`. */
  mediaType: string;
  /** Parameters with lower-case names; quotes removed. */
  params: ReadonlyMap<string, string>;
}

/** Parses a Content-Type header (RFC 9110 §8.3); `undefined` when absent or unreadable. */
export function parseContentType(header: string | undefined): ContentType | undefined {
  if (header === undefined) return undefined;
  const [type = '', ...rest] = header.split(';');
  const mediaType = type.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mediaType)) return undefined;
  const params = new Map<string, string>();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(name, value);
  }
  return { mediaType, params };
}

/** True when JSON text nests arrays/objects deeper than `max` (strings skipped). */
export function jsonTooDeep(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

function parseJsonBody(body: Buffer, charset: string | undefined): unknown {
  // RFC 8259 §8.1: JSON exchanged between systems is UTF-8.
  if (charset !== undefined && requireCharset(charset, 'Content-Type') !== 'utf-8') {
    throw new GatewayError('GW_ERR_API_UNSUPPORTED_CHARSET', 'JSON must be UTF-8');
  }
  let text = decodeStrict(body, 'utf-8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  if (jsonTooDeep(text)) {
    throw new GatewayError(
      'GW_ERR_API_MALFORMED_JSON',
      `Body is not well-formed JSON (nesting deeper than ${MAX_JSON_DEPTH} levels)`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // Only a position survives from V8's message; the rest is parser wording.
    const msg = err instanceof Error ? err.message : '';
    const pos = /position (\d+)/.exec(msg);
    const atEnd = pos ? Number(pos[1]) >= text.length : /end of JSON input/.test(msg) || text.trim() === '';
    const hint = atEnd ? ' (unexpected end of input)' : pos ? ` (at character ${pos[1]})` : '';
    throw new GatewayError('GW_ERR_API_MALFORMED_JSON', `Body is not well-formed JSON${hint}`);
  }
}

// Built on first XML body from the immutable schema files; it holds no connections or state.
let defaultCoercer: XmlCoercer | undefined;

/**
 * Parses a packet body.
 *
 * - `application/json` (charset absent or UTF-8; a UTF-8 BOM is skipped) → `JSON.parse` result.
 * - `application/xml` / `text/xml` in UTF-8, GBK (GB2312 read as GBK) or GB18030, from the BOM,
 *   XML declaration and/or Content-Type charset (all present must agree) → the same value
 *   the JSON form of the packet would give (schema-driven: arrays, booleans, integers).
 *
 * @throws GatewayError `GW_ERR_API_UNSUPPORTED_MEDIA_TYPE`, `GW_ERR_API_UNSUPPORTED_CHARSET`,
 *   `GW_ERR_API_CHARSET_MISMATCH`, `GW_ERR_API_BAD_ENCODING`, `GW_ERR_API_XML_DOCTYPE`,
 *   `GW_ERR_API_MALFORMED_XML`, `GW_ERR_API_MALFORMED_JSON`, and `GW_ERR_PACKET_SCHEMA` for
 *   XML shapes that have no JSON equivalent (attributes, mixed content, wrong root element).
 */
export function parseBody(body: Buffer, contentType: string | undefined): unknown {
  const ct = parseContentType(contentType);
  const charset = ct?.params.get('charset');
  switch (ct?.mediaType) {
    case 'application/json':
      return parseJsonBody(body, charset);
    case 'application/xml':
    case 'text/xml':
      defaultCoercer ??= new XmlCoercer(loadPacketSchemas(), PACKET_SCHEMA_ID);
      return parseXmlBody(body, charset, defaultCoercer);
    default:
      throw new GatewayError(
        'GW_ERR_API_UNSUPPORTED_MEDIA_TYPE',
        `Unsupported media type ${JSON.stringify((contentType ?? '(none)').slice(0, 60))}; send application/json or application/xml`,
      );
  }
}
