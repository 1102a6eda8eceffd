import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, GatewayError } from '../src/errors.js';

const README = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');

describe('error codes', () => {
  it('the README table and src/errors.ts list the same codes with the same statuses, both ways', () => {
    const section = README.split('<!-- error-codes:start -->')[1]?.split('<!-- error-codes:end -->')[0] ?? '';
    const rows = [...section.matchAll(/^\| `(GW_ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])] as const);
    const documented = new Map(rows);
    expect(rows.length).toBe(documented.size); // no code twice
    for (const [code, d] of Object.entries(ERROR_CODES)) {
      expect(documented.get(code), `README lacks ${code}`).toBe(d.status);
    }
    for (const code of documented.keys()) expect(ERROR_CODES, `README lists unknown ${code}`).toHaveProperty(code);
  });

  it('every code follows GW_ERR_<AREA>_<WHAT> and has a fitting HTTP status', () => {
    for (const [code, d] of Object.entries(ERROR_CODES)) {
      // GW_ERR_INTERNAL is the one code without an area: it never says more to a caller.
      if (code !== 'GW_ERR_INTERNAL') expect(code).toMatch(/^GW_ERR_[A-Z0-9]+(_[A-Z0-9]+)+$/);
      expect([400, 401, 403, 404, 408, 409, 413, 415, 422, 429, 500, 502, 503]).toContain(d.status);
    }
  });

  it('gives the one body shape', () => {
    const e = new GatewayError('GW_ERR_PACKET_SCHEMA', undefined, [{ path: '/id', message: 'must be a UUID' }]);
    expect(e.toBody()).toEqual({ code: 'GW_ERR_PACKET_SCHEMA', message: ERROR_CODES.GW_ERR_PACKET_SCHEMA.message, details: [{ path: '/id', message: 'must be a UUID' }] });
    expect(e.status).toBe(422);
  });
});
