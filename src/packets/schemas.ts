/**
 * Loads the packet JSON Schemas from `schemas/` (data, not code: STYLE.md §8). The same
 * documents drive ajv validation and the XML-to-JSON coercion, so XML and JSON input are
 * judged by one definition.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Base URI of all packet schema `$id`s. */
export const PACKET_SCHEMA_BASE = 'https://tongban-gateway.example/schemas/';

/** `$id` of the top-level packet schema. */
export const PACKET_SCHEMA_ID = `${PACKET_SCHEMA_BASE}packet.schema.json`;

/** The packet schema files, shared definitions first. */
export const PACKET_SCHEMA_FILES: readonly string[] = Object.freeze([
  'packet-defs.schema.json',
  'newborn-application.schema.json',
  'newborn-decision.schema.json',
  'newborn-completion.schema.json',
  'birth-certificate-check.schema.json',
  'packet.schema.json',
]);

/** A parsed schema document, keyed by its `$id`. */
export type SchemaDocument = Readonly<Record<string, unknown>> & { readonly $id: string };

/**
 * Finds the project's `schemas/` folder by walking up from this file, because the code runs
 * both from `src/packets/` (tests, tsx) and from `dist/src/packets/` (built), at different depths.
 */
export function defaultSchemaDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    const candidate = join(dir, 'schemas');
    if (existsSync(join(candidate, 'packet.schema.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error(
    'Cannot locate the schemas/ folder (packet.schema.json) above ' + fileURLToPath(import.meta.url),
  );
}

// Parsed schema documents are immutable data; caching them per folder avoids re-reading the
// files for every parser/validator built in tests, and holds no connections or state.
const cache = new Map<string, ReadonlyMap<string, SchemaDocument>>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads and parses the packet schemas once per folder.
 * @param dir folder holding the files; default: the project's `schemas/`.
 * @returns documents keyed by `$id`, deeply frozen.
 */
export function loadPacketSchemas(dir: string = defaultSchemaDir()): ReadonlyMap<string, SchemaDocument> {
  const key = resolve(dir);
  const hit = cache.get(key);
  if (hit) return hit;
  const docs = new Map<string, SchemaDocument>();
  for (const file of PACKET_SCHEMA_FILES) {
    const parsed: unknown = JSON.parse(readFileSync(join(key, file), 'utf8'));
    if (
      parsed === null ||
      typeof parsed !== 'object' ||
      typeof (parsed as { $id?: unknown }).$id !== 'string'
    ) {
      throw new Error(`Schema ${file} has no $id`);
    }
    const doc = deepFreeze(parsed as SchemaDocument);
    docs.set(doc.$id, doc);
  }
  cache.set(key, docs);
  return docs;
}
