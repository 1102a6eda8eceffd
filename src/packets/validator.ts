/**
 * The packet validator: JSON Schema (ajv, compiled once) and then the acceptance domain checks.
 * Schema errors are reported as JSON-pointer paths with a readable message, never as ajv's
 * internal error objects.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { GatewayError, type ErrorDetail } from '../errors.js';
import { checkPacketDomain } from './domain-checks.js';
import { loadPacketSchemas, PACKET_SCHEMA_ID } from './schemas.js';
import type { Packet } from './types.js';

// ajv-formats is CommonJS: under NodeNext its default import is typed as the module object,
// while at run time it may be the plugin function itself.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Most schema error details returned; enough to fix a packet, bounded for the response. */
export const MAX_SCHEMA_DETAILS = 50;

/** Options for {@link createPacketValidator}. */
export interface PacketValidatorOptions {
  /** Folder holding the packet schemas; default: the project's `schemas/`. */
  schemaDir?: string;
  /** Clock for "not in the future" checks; default `() => new Date()`. */
  now?: () => Date;
}

/** Validates raw (parsed) input into a {@link Packet}. */
export interface PacketValidator {
  /**
   * Schema validation then domain checks.
   * @throws GatewayError `GW_ERR_PACKET_SCHEMA` (details: `[{ path, message }]`),
   *   `GW_ERR_PACKET_ID_NUMBER`, `GW_ERR_PACKET_REGION_CODE`, `GW_ERR_PACKET_ATTACHMENT`
   */
  validate(raw: unknown): Packet;
  /** Schema validation only (e.g. for packets re-read from the store). */
  validateSchema(raw: unknown): Packet;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** One ajv error → `{ path, message }`, or undefined for errors that only repeat others. */
function toDetail(e: ErrorObject): ErrorDetail | undefined {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if': // "must match then schema": the failing keyword inside `then` is reported itself.
      return undefined;
    case 'required':
      return {
        path: `${e.instancePath}/${escapePointer(String(params.missingProperty))}`,
        message: 'is required',
      };
    case 'dependentRequired':
      return {
        path: `${e.instancePath}/${escapePointer(String(params.missingProperty))}`,
        message: `is required with ${String(params.property)}`,
      };
    case 'additionalProperties':
      return {
        path: `${e.instancePath}/${escapePointer(String(params.additionalProperty))}`,
        message: 'is not allowed',
      };
    case 'false schema':
      return { path: e.instancePath, message: 'is not allowed here' };
    case 'enum':
      return {
        path: e.instancePath,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path: e.instancePath, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern':
      return { path: e.instancePath, message: `must match ${String(params.pattern)}` };
    case 'format':
      return { path: e.instancePath, message: `must be a valid ${String(params.format)}` };
    default:
      return { path: e.instancePath, message: e.message ?? `fails ${e.keyword}` };
  }
}

function schemaError(errors: readonly ErrorObject[]): GatewayError {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const e of errors) {
    const d = toDetail(e);
    if (d === undefined) continue;
    const key = `${d.path ?? ''}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push(d);
    if (details.length >= MAX_SCHEMA_DETAILS) break;
  }
  const first = details[0] ?? { path: '', message: 'is invalid' };
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return new GatewayError(
    'GW_ERR_PACKET_SCHEMA',
    `Packet does not match its schema: ${first.path || '/'} ${first.message}${more}`,
    details,
  );
}

/**
 * Builds a validator; the schemas are read and compiled here, once.
 * @example
 * const v = createPacketValidator();
 * const packet = v.validate(parseBody(body, req.headers['content-type']));
 */
export function createPacketValidator(opts: PacketValidatorOptions = {}): PacketValidator {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    // Without the `u` flag V8 runs simple class loops like ^[^/]+$ iteratively; with it, on
    // two-byte strings (any Chinese text, or XML decoded from GBK) a multi-megabyte value
    // exhausts the regex backtracking stack and throws RangeError instead of failing cleanly.
    // No packet pattern needs Unicode semantics.
    unicodeRegExp: false,
    // Checking the schemas against the 2020-12 meta-schema costs a few hundred ms per
    // validator; the schema files are fixed data, so a test does it once instead.
    validateSchema: false,
  });
  addFormats(ajv);
  // Annotation read by the XML coercion (name of the item element of an array); no validation.
  ajv.addVocabulary(['xmlItem']);
  const docs = loadPacketSchemas(opts.schemaDir);
  for (const doc of docs.values()) ajv.addSchema(doc as object);
  const check: ValidateFunction = ajv.getSchema(PACKET_SCHEMA_ID) ?? ajv.compile({ $ref: PACKET_SCHEMA_ID });
  const now = opts.now ?? (() => new Date());

  const validateSchema = (raw: unknown): Packet => {
    if (!check(raw)) throw schemaError(check.errors ?? []);
    return raw as Packet;
  };
  return {
    validateSchema,
    validate(raw: unknown): Packet {
      const packet = validateSchema(raw);
      checkPacketDomain(packet, { today: now() });
      return packet;
    },
  };
}
