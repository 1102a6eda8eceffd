/** Test helpers for the packet layer: samples, a fixed clock, and a JSON → XML writer. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

/** The repo's copy of the shared sample packets. */
export const SAMPLES_DIR = fileURLToPath(new URL('../../samples/', import.meta.url));

/** A fixed "now" after every sample's dates (samples are from 2026-11-23..25). */
export const NOW = new Date('2026-11-26T12:00:00+08:00');

export const JSON_SAMPLES = [
  'newborn-application.yangtze.json',
  'newborn-decision.approved.json',
  'newborn-decision.rejected.json',
  'newborn-completion.json',
] as const;

export const GBK_XML_SAMPLE = 'newborn-application.chuan-yu-qian.gbk.xml';

export function sampleBytes(name: string): Buffer {
  return readFileSync(join(SAMPLES_DIR, name));
}

/** A JSON sample as a fresh mutable object. */
export function sampleJson(name: string): Record<string, unknown> {
  return JSON.parse(sampleBytes(name).toString('utf8')) as Record<string, unknown>;
}

/** Marker for {@link withChange}: remove the property. */
export const REMOVE = Symbol('remove');

/**
 * A deep copy of `base` with the value at a JSON pointer replaced (or removed), for building
 * one-defect variants of a valid packet.
 */
export function withChange(base: unknown, pointer: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base) as Record<string, unknown>;
  const segs = pointer.split('/').slice(1);
  const last = segs.pop()!;
  let node: unknown = copy;
  for (const seg of segs) node = (node as Record<string, unknown>)[seg];
  const parent = node as Record<string, unknown>;
  if (value === REMOVE) delete parent[last];
  else parent[last] = value;
  return copy;
}

const ITEM_NAMES: Record<string, string> = { attachments: 'attachment', guardians: 'guardian' };

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Writes a JSON value as XML the way provincial systems do: arrays as wrapper + item elements. */
export function toXml(value: unknown, name: string): string {
  if (Array.isArray(value)) {
    const item = ITEM_NAMES[name] ?? 'item';
    return `<${name}>${value.map((v: unknown) => toXml(v, item)).join('')}</${name}>`;
  }
  if (value !== null && typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(v, k))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole XML document for a packet, encoded in `encoding` (declared in the prolog). */
export function packetXml(packet: unknown, encoding: 'UTF-8' | 'GBK' | 'GB18030' = 'UTF-8'): Buffer {
  const text = `<?xml version="1.0" encoding="${encoding}"?>\n${toXml(packet, 'packet')}\n`;
  return encoding === 'UTF-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
}
