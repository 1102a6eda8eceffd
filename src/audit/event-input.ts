import { GatewayError } from '../errors.js';
import { protectPeople, scrubEvent } from './privacy.js';
import { EXCHANGE_EVENT_KINDS } from './types.js';
import type { ChainHashName, ExchangeEvent, LogEntry } from './types.js';

/** The event part of a log entry (everything but seq, time, instance, member, alg, prev, hash). */
export type EventFields = Pick<
  LogEntry,
  | 'event'
  | 'packetId'
  | 'caseId'
  | 'type'
  | 'from'
  | 'to'
  | 'actor'
  | 'outcome'
  | 'code'
  | 'detail'
  | 'people'
>;

const OPTIONAL_STRINGS = ['packetId', 'caseId', 'type', 'from', 'to', 'code'] as const;

function invalid(what: string): GatewayError {
  // A malformed event is a bug in the caller, not a state of the log.
  return new GatewayError('GW_ERR_INTERNAL', `Invalid exchange event: ${what}`);
}

/**
 * Checks an event from a caller (TypeScript types do not exist at run time) and turns it into
 * what is written: raw people data scrubbed from free text, `people` masked and keyed-hashed.
 * Non-finite numbers in `detail` become strings, since JSON has no NaN.
 * `reservedOk` lets the log itself write `checkpoint` entries, which callers may not forge.
 */
export function toEventFields(
  e: ExchangeEvent,
  secret: Buffer,
  alg: ChainHashName,
  reservedOk = false,
): EventFields {
  if (typeof e !== 'object' || e === null) throw invalid('not an object');
  if (!EXCHANGE_EVENT_KINDS.includes(e.event)) throw invalid(`unknown event ${String(e.event)}`);
  if (e.event === 'checkpoint' && !reservedOk)
    throw invalid('checkpoint entries are written by the log itself');
  if (typeof e.actor !== 'string' || e.actor === '') throw invalid('actor must be a non-empty string');
  if (e.outcome !== 'ok' && e.outcome !== 'error') throw invalid('outcome must be ok or error');
  for (const k of OPTIONAL_STRINGS) {
    if (e[k] !== undefined && typeof e[k] !== 'string') throw invalid(`${k} must be a string`);
  }
  if (
    e.detail !== undefined &&
    (typeof e.detail !== 'object' || e.detail === null || Array.isArray(e.detail))
  ) {
    throw invalid('detail must be an object');
  }
  if (e.people !== undefined) {
    if (!Array.isArray(e.people)) throw invalid('people must be an array');
    for (const p of e.people) {
      if (typeof p !== 'object' || p === null || typeof p.role !== 'string')
        throw invalid('person without role');
      if (p.idNumber !== undefined && typeof p.idNumber !== 'string')
        throw invalid('idNumber must be a string');
      if (p.name !== undefined && typeof p.name !== 'string') throw invalid('name must be a string');
    }
  }
  const s = scrubEvent(e);
  const out: EventFields = { event: s.event, actor: s.actor, outcome: s.outcome };
  for (const k of OPTIONAL_STRINGS) {
    const v = s[k];
    if (v !== undefined) out[k] = v;
  }
  if (s.detail) {
    const detail: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(s.detail)) {
      if (v === undefined) continue;
      if (typeof v === 'number') detail[k] = Number.isFinite(v) ? v : String(v);
      else if (typeof v === 'string' || typeof v === 'boolean') detail[k] = v;
      else throw invalid(`detail.${k} must be a string, number or boolean`);
    }
    out.detail = detail;
  }
  if (s.people && s.people.length > 0) out.people = protectPeople(s.people, secret, alg);
  return out;
}
