/**
 * Canonical JSON: the exact bytes that are signed and that "byte-identical payload" compares.
 * Two equal packets must serialise identically whatever their key order or whether they came
 * from JSON or XML.
 */
import type { Packet } from './types.js';

/**
 * Code-point order, not JavaScript's default UTF-16 code-unit order: the two differ when a key
 * mixes astral characters (e.g. rare 汉字 in CJK Extension B) with BMP characters above U+D7FF.
 * (This is deliberately not RFC 8785, which sorts by UTF-16 units.)
 */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done === true) return y.done === true ? 0 : -1;
    if (y.done === true) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

function write(value: unknown, stack: object[], inArray: boolean): string | undefined {
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // JSON.stringify would write NaN/Infinity as null, silently changing what is signed.
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      // Omitted in objects, as JSON.stringify does, so `{ inReplyTo: undefined }` equals `{}`.
      // In arrays there is no faithful rendering.
      if (inArray) throw new TypeError(`canonicalJson: ${typeof value} in an array`);
      return undefined;
    case 'bigint':
      throw new TypeError('canonicalJson: bigint is not JSON');
    default:
      break;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (stack.includes(obj)) throw new TypeError('canonicalJson: cyclic structure');
  stack.push(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = `[${obj.map((v: unknown) => write(v, stack, true)).join(',')}]`;
  } else {
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort(compareCodePoints)) {
      const v = write((obj as Record<string, unknown>)[key], stack, false);
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
    }
    out = `{${parts.join(',')}}`;
  }
  stack.pop();
  return out;
}

/**
 * Deterministic JSON: object keys sorted by Unicode code point, no whitespace, strings and
 * numbers exactly as `JSON.stringify` writes them. Throws `TypeError` on non-finite numbers,
 * bigints, cycles and `undefined` inside arrays.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value, [], false);
  if (out === undefined) throw new TypeError(`canonicalJson: ${typeof value} is not JSON`);
  return out;
}

/** The bytes to sign or compare for a packet: UTF-8 of its canonical JSON. */
export function packetDigestInput(p: Packet): Buffer {
  return Buffer.from(canonicalJson(p), 'utf8');
}
