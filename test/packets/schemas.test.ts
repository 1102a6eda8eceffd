import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  defaultSchemaDir,
  loadPacketSchemas,
  PACKET_SCHEMA_BASE,
  PACKET_SCHEMA_FILES,
} from '../../src/packets/index.js';

/** Every subschema of a document with its JSON pointer. */
function* walk(node: unknown, pointer = ''): Generator<[string, Record<string, unknown>]> {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) yield* walk(v, `${pointer}/${i}`);
    return;
  }
  const obj = node as Record<string, unknown>;
  yield [pointer, obj];
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'enum' || k === 'const' || k === 'required') continue;
    yield* walk(v, `${pointer}/${k}`);
  }
}

describe('packet schema files', () => {
  const dir = defaultSchemaDir();
  const docs = loadPacketSchemas(dir);

  it.each(PACKET_SCHEMA_FILES)('%s is draft 2020-12 with a $id matching its file name', (file) => {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    expect(doc.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.$id).toBe(PACKET_SCHEMA_BASE + file);
    expect(docs.get(PACKET_SCHEMA_BASE + file)).toEqual(doc);
  });

  it('are valid against the draft 2020-12 meta-schema (the validator skips this at run time)', () => {
    const ajv = new Ajv2020({ strict: false });
    for (const doc of docs.values()) {
      expect(ajv.validateSchema(doc as object), JSON.stringify(ajv.errors)).toBe(true);
    }
  });

  it('closes every object that lists its properties', () => {
    const open: string[] = [];
    for (const [id, doc] of docs) {
      for (const [pointer, node] of walk(doc)) {
        const isConditional = /\/(if|then|else)(\/|$)/.test(pointer);
        if (
          node.type === 'object' &&
          node.properties !== undefined &&
          !isConditional &&
          node.additionalProperties !== false
        ) {
          open.push(`${id}#${pointer}`);
        }
      }
    }
    expect(open).toEqual([]);
  });

  it('gives every use of the unbounded "line" definition its own maxLength', () => {
    const unbounded: string[] = [];
    for (const [id, doc] of docs) {
      for (const [pointer, node] of walk(doc)) {
        if (
          typeof node.$ref === 'string' &&
          node.$ref.endsWith('#/$defs/line') &&
          typeof node.maxLength !== 'number'
        ) {
          unbounded.push(`${id}#${pointer}`);
        }
      }
    }
    expect(unbounded).toEqual([]);
  });

  it('documents every payload and header field', () => {
    const packet = docs.get(`${PACKET_SCHEMA_BASE}packet.schema.json`) as unknown as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(packet.properties).sort()).toEqual(
      [
        'agreement',
        'attachments',
        'caseId',
        'createdAt',
        'from',
        'id',
        'inReplyTo',
        'payload',
        'sealedDocuments',
        'to',
        'type',
      ].sort(),
    );
  });

  it('hands out frozen documents (schemas are data, not state)', () => {
    const doc = docs.get(`${PACKET_SCHEMA_BASE}packet.schema.json`) as Record<string, unknown>;
    expect(Object.isFrozen(doc)).toBe(true);
    expect(Object.isFrozen(doc.properties)).toBe(true);
  });
});
