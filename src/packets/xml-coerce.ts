/**
 * Turns the loose tree xml2js produces (every leaf a string, repeated elements merged into
 * arrays only when repeated) into exactly the JSON a sender would have posted, by walking the
 * packet schema alongside the tree. Anything the schema does not know is left untouched so
 * that validation, not this step, rejects it with a precise path.
 */
import { GatewayError } from '../errors.js';
import type { SchemaDocument } from './schemas.js';

type SchemaNode = boolean | Readonly<Record<string, unknown>>;

/** A schema node and the `$id` of the document it lives in (the base for its `$ref`s). */
interface Located {
  readonly node: SchemaNode;
  readonly base: string;
}

/** What all applicable subschemas say about one instance location. */
interface Facets {
  types: Set<string>;
  props: Map<string, Located[]>;
  items: Located[];
  xmlItem?: string;
}

/** xml2js keys for attributes and for text beside child elements (neither is a valid XML name). */
export const XML_ATTR_KEY = '@attrs';
export const XML_TEXT_KEY = '#text';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function pointerEscape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function shapeError(path: string, message: string): GatewayError {
  return new GatewayError(
    'GW_ERR_PACKET_SCHEMA',
    `Packet does not match its schema: ${path || '/'} ${message}`,
    [{ path, message }],
  );
}

/** Coerces xml2js output to packet JSON, driven by the packet schema documents. */
export class XmlCoercer {
  constructor(
    private readonly docs: ReadonlyMap<string, SchemaDocument>,
    private readonly rootId: string,
  ) {}

  /** Coerces the content of the root `<packet>` element. */
  coerce(rootContent: unknown): unknown {
    const root = this.docs.get(this.rootId);
    if (root === undefined) throw new Error(`Schema ${this.rootId} is not loaded`);
    return this.value(rootContent, [{ node: root, base: this.rootId }], '');
  }

  private resolve(ref: string, base: string): Located {
    const url = new URL(ref, base);
    const docId = url.href.slice(0, url.href.length - url.hash.length);
    let node: unknown = this.docs.get(docId);
    if (node === undefined) throw new Error(`Unresolvable $ref ${ref} from ${base}`);
    const pointer = decodeURIComponent(url.hash.slice(1));
    for (const seg of pointer.split('/').slice(1)) {
      node = isRecord(node) ? node[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    }
    if (typeof node !== 'boolean' && !isRecord(node))
      throw new Error(`Unresolvable $ref ${ref} from ${base}`);
    return { node, base: docId };
  }

  /**
   * Decides a schema `if` against the raw XML value when it is a simple discriminator test
   * (properties with const/enum, required); `undefined` when it cannot tell, and then both
   * branches are followed.
   */
  private decide(cond: SchemaNode, instance: unknown): boolean | undefined {
    if (typeof cond === 'boolean') return cond;
    for (const [key, sub] of Object.entries(cond)) {
      if (key === 'required' && Array.isArray(sub)) {
        if (!isRecord(instance) || !sub.every((k) => typeof k === 'string' && Object.hasOwn(instance, k)))
          return false;
      } else if (key === 'properties' && isRecord(sub)) {
        if (!isRecord(instance)) continue;
        for (const [prop, test] of Object.entries(sub)) {
          if (!Object.hasOwn(instance, prop) || !isRecord(test)) continue;
          const v = instance[prop];
          if (Object.hasOwn(test, 'const')) {
            if (v !== test.const) return false;
          } else if (Array.isArray(test.enum)) {
            if (!test.enum.includes(v)) return false;
          } else return undefined;
        }
      } else if (key !== 'description' && key !== '$comment') {
        return undefined;
      }
    }
    return true;
  }

  private collect(loc: Located, instance: unknown, f: Facets, depth: number): void {
    const { node, base } = loc;
    if (typeof node === 'boolean' || depth > 32) return;
    if (typeof node.type === 'string') f.types.add(node.type);
    if (Array.isArray(node.type)) for (const t of node.type) if (typeof t === 'string') f.types.add(t);
    if (typeof node.xmlItem === 'string') f.xmlItem = node.xmlItem;
    if (typeof node.$ref === 'string') this.collect(this.resolve(node.$ref, base), instance, f, depth + 1);
    if (isRecord(node.properties)) {
      for (const [k, sub] of Object.entries(node.properties)) {
        if (typeof sub !== 'boolean' && !isRecord(sub)) continue;
        const list = f.props.get(k) ?? [];
        list.push({ node: sub, base });
        f.props.set(k, list);
      }
    }
    if (typeof node.items === 'boolean' || isRecord(node.items)) f.items.push({ node: node.items, base });
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = node[key];
      if (!Array.isArray(list)) continue;
      for (const sub of list) {
        if (typeof sub === 'boolean' || isRecord(sub))
          this.collect({ node: sub, base }, instance, f, depth + 1);
      }
    }
    const cond = node.if;
    if (typeof cond === 'boolean' || isRecord(cond)) {
      const verdict = this.decide(cond, instance);
      for (const [branch, wanted] of [
        ['then', true],
        ['else', false],
      ] as const) {
        const sub = node[branch];
        if (verdict !== !wanted && (typeof sub === 'boolean' || isRecord(sub))) {
          this.collect({ node: sub, base }, instance, f, depth + 1);
        }
      }
    }
  }

  private facets(locs: readonly Located[], instance: unknown): Facets {
    const f: Facets = { types: new Set(), props: new Map(), items: [] };
    for (const loc of locs) this.collect(loc, instance, f, 0);
    return f;
  }

  private value(raw: unknown, locs: readonly Located[], path: string): unknown {
    const f = this.facets(locs, raw);
    if (typeof raw === 'string') return scalar(raw, f.types);
    // A repeated element where the schema wants one value: keep the array so the schema says so.
    if (Array.isArray(raw)) return raw.map((v: unknown) => this.value(v, locs, path));
    if (!isRecord(raw)) return raw;
    if (Object.hasOwn(raw, XML_ATTR_KEY)) throw shapeError(path, 'must not carry XML attributes');
    if (Object.hasOwn(raw, XML_TEXT_KEY)) throw shapeError(path, 'must not mix text and child elements');
    if (f.types.has('array') && !f.types.has('object')) {
      // Arrays are written as a wrapper whose children are all the item element, e.g.
      // <attachments><attachment/>…</attachments>.
      const item = f.xmlItem ?? path.slice(path.lastIndexOf('/') + 1).replace(/s$/, '');
      for (const key of Object.keys(raw)) {
        if (key !== item)
          throw shapeError(`${path}/${pointerEscape(key)}`, `is not allowed; <${item}> elements expected`);
      }
      const inner = raw[item];
      const list: unknown[] = inner === undefined ? [] : Array.isArray(inner) ? inner : [inner];
      return list.map((v, i) => this.value(v, f.items, `${path}/${i}`));
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(raw)) {
      // defineProperty, because an element named __proto__ must stay an own property (and be
      // rejected by additionalProperties) rather than replace the prototype.
      Object.defineProperty(out, key, {
        value: this.value(raw[key], f.props.get(key) ?? [], `${path}/${pointerEscape(key)}`),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
}

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Text of a leaf element → the JSON value the schema expects, when it is unambiguous. */
function scalar(text: string, types: ReadonlySet<string>): unknown {
  if (types.has('string')) return text;
  // An empty container may be pretty-printed with only whitespace inside.
  const blank = text.trim() === '';
  if (blank && types.has('array')) return [];
  if (blank && types.has('object')) return {};
  if (types.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.has('integer') && INTEGER.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (types.has('number') && NUMBER.test(text) && Number.isFinite(Number(text))) return Number(text);
  return text;
}
