import type { PersonRef } from '../audit/index.js';
import type { Packet } from '../packets/index.js';

const ROLES = ['applicant', 'newborn', 'father', 'mother'] as const;

/**
 * The people a packet names, for the exchange log's keyed hashes. Names and ID numbers go to
 * the log module only, which never writes them in clear.
 */
export function peopleOf(packet: Packet): PersonRef[] {
  const payload = packet.payload as unknown as Record<string, unknown>;
  const out: PersonRef[] = [];
  const add = (role: string, v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    const p = v as Record<string, unknown>;
    const idNumber = typeof p.idNumber === 'string' ? p.idNumber : undefined;
    const name = typeof p.name === 'string' ? p.name : undefined;
    if (idNumber || name) out.push({ role, idNumber, name });
  };
  for (const role of ROLES) add(role, payload[role]);
  add('registered', payload.residentRegistration);
  if (typeof payload.newbornIdNumber === 'string' && !out.some((p) => p.idNumber === payload.newbornIdNumber)) {
    out.push({ role: 'newborn', idNumber: payload.newbornIdNumber });
  }
  return out;
}
