import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { GatewayError } from '../errors.js';
import { schemaPath } from '../paths.js';
import type { ConfigProblem, GatewayConfig, SealConfig } from './types.js';


/** Result of checking a config file: either a frozen config or every problem found. */
export type ConfigCheck = { ok: true; config: GatewayConfig } | { ok: false; problems: ConfigProblem[] };

type Raw = Record<string, unknown>;

let compiled: ReturnType<Ajv['compile']> | undefined;
function schemaValidator(): ReturnType<Ajv['compile']> {
  if (compiled) return compiled;
  const file = schemaPath('config.schema.json');
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
  compiled = ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
  return compiled;
}

function describe(err: ErrorObject): string {
  switch (err.keyword) {
    case 'additionalProperties':
      return `unknown property "${String(err.params.additionalProperty)}"`;
    case 'required':
      return `missing required property "${String(err.params.missingProperty)}"`;
    case 'enum':
      return `expected one of ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `expected a string matching ${String(err.params.pattern)}`;
    default:
      return `expected ${err.message ?? 'a valid value'}`;
  }
}

/**
 * Check a YAML config file: schema (ajv, defaults applied), then the cross-references a schema
 * cannot express (peer suites have certificates, agreements name known members, files exist).
 * Every problem names the file, the JSON-pointer path and, where known, the line.
 */
export function checkConfigFile(file: string): ConfigCheck {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ file: abs, path: '', message: `cannot read file: ${(err as Error).message}` }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file: abs,
        path: '',
        line: lineCounter.linePos(e.pos[0]).line,
        message: `YAML syntax: ${e.code}`,
      })),
    };
  }
  const lineOf = (pointer: string): number | undefined => {
    const parts = pointer.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    for (let n = parts.length; n >= 0; n--) {
      const node = parts.length === 0 ? doc.contents : doc.getIn(parts.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return checkConfigObject(doc.toJS() as unknown, abs, lineOf);
}

/** Check an in-memory config object (used by tests and the demo); relative paths resolve against `baseDir`. */
export function checkConfigObject(
  raw: unknown,
  source: string,
  lineOf: (pointer: string) => number | undefined = () => undefined,
): ConfigCheck {
  const data = structuredClone(raw) as Raw;
  const validate = schemaValidator();
  const problem = (path: string, message: string): ConfigProblem => ({ file: source, path, line: lineOf(path), message });
  if (!validate(data)) {
    const problems = (validate.errors ?? [])
      // if/then failures repeat the inner error; keep the inner one.
      .filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf')
      .map((e) => problem(e.instancePath, describe(e)));
    return { ok: false, problems };
  }
  const baseDir = source === '<memory>' ? process.cwd() : dirname(source);
  const config = normalize(data, source, baseDir);
  const problems = crossCheck(config).map((p) => problem(p.path, p.message));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: deepFreeze(config) };
}

/** Load a config file or throw `GW_ERR_CONFIG_INVALID` listing every problem. */
export function loadConfig(file: string): GatewayConfig {
  const result = checkConfigFile(file);
  if (!result.ok) throw configError(result.problems);
  return result.config;
}

/** Build the coded error for a list of problems. */
export function configError(problems: readonly ConfigProblem[]): GatewayError {
  return new GatewayError(
    'GW_ERR_CONFIG_INVALID',
    `configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
    problems.map((p) => ({ path: p.path, message: p.message, file: p.file, line: p.line })),
  );
}

function normalize(d: Raw, source: string, baseDir: string): GatewayConfig {
  const abs = (p: string): string => resolve(baseDir, p);
  const node = d.node as Raw;
  const tls = d.tls as Raw;
  const crypto = d.crypto as { defaultSuite: 'sm' | 'intl'; suites: Record<string, Record<string, Raw>> };
  const dataDir = abs((node.dataDir as string | undefined) ?? 'data');
  const member = node.member as string;
  const audit = (d.audit ?? {}) as Raw;
  const redis = (d.redis ?? {}) as Raw;
  const suites: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(crypto.suites)) {
    suites[name] = {
      signing: { cert: abs(s.signing.cert as string), key: abs(s.signing.key as string) },
      encryption: { cert: abs(s.encryption.cert as string), key: abs(s.encryption.key as string) },
    };
  }
  const listen = d.listen as Record<string, Raw | undefined>;
  const listener = (l: Raw | undefined) => (l ? { host: (l.host as string) ?? '127.0.0.1', port: l.port as number } : undefined);
  return {
    source,
    node: { member, name: node.name as string, instanceId: (node.instanceId as string) ?? 'i1', dataDir },
    listen: { api: listener(listen.api)!, peer: listener(listen.peer)!, admin: listener(listen.admin) },
    tls: {
      ca: (Array.isArray(tls.ca) ? (tls.ca as string[]) : [tls.ca as string]).map(abs),
      cert: abs(tls.cert as string),
      key: abs(tls.key as string),
      crl: ((tls.crl as string[] | undefined) ?? []).map(abs),
      expiryWarningDays: tls.expiryWarningDays as number,
    },
    crypto: { defaultSuite: crypto.defaultSuite, suites } as GatewayConfig['crypto'],
    systems: (d.systems as Raw[]).map((s) => ({ ...s, cert: abs(s.cert as string) })) as unknown as GatewayConfig['systems'],
    peers: (d.peers as Raw[]).map((p) => ({
      ...p,
      tlsCert: abs(p.tlsCert as string),
      certs: Object.fromEntries(
        Object.entries(p.certs as Record<string, Raw>).map(([k, c]) => [
          k,
          { signing: abs(c.signing as string), encryption: abs(c.encryption as string) },
        ]),
      ),
    })) as unknown as GatewayConfig['peers'],
    agreements: (d.agreements as Raw[]).map((a) => ({ ...a, intra: a.intra ?? false })) as unknown as GatewayConfig['agreements'],
    retry: d.retry as GatewayConfig['retry'],
    redis: { url: redis.url as string | undefined, prefix: (redis.prefix as string | undefined) ?? `tongban:${member}` },
    audit: {
      dir: abs((audit.dir as string | undefined) ?? `${dataDir}/audit`),
      secretFile: abs((audit.secretFile as string | undefined) ?? `${dataDir}/audit-secret.key`),
      checkpointEvery: audit.checkpointEvery as number,
      checkpointMs: audit.checkpointMs as number,
      retentionDays: audit.retentionDays as number,
    },
    limits: d.limits as GatewayConfig['limits'],
    calendar: { extraYears: ((d.calendar as Raw | undefined)?.extraYears ?? {}) as GatewayConfig['calendar']['extraYears'] },
    cases: d.cases as GatewayConfig['cases'],
    ...(d.seals ? { seals: normalizeSeals(d.seals as Raw, abs) } : {}),
  };
}

function normalizeSeals(s: Raw, abs: (p: string) => string): NonNullable<GatewayConfig['seals']> {
  return {
    trustedMakers: ((s.trustedMakers as string[] | undefined) ?? []).map(abs),
    registry: ((s.registry as Raw[] | undefined) ?? []).map((r) => ({
      ...(r as unknown as SealConfig),
      file: abs(r.file as string),
      ...(r.picture ? { picture: abs(r.picture as string) } : {}),
      signers: (r.signers as Raw[]).map((g) => ({ ...(g as unknown as SealConfig['signers'][number]), cert: abs(g.cert as string), key: abs(g.key as string) })),
    })),
  };
}

function crossCheck(c: GatewayConfig): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const file = (path: string, p: string): void => {
    if (!existsSync(p)) out.push({ path, message: `file not found: ${p}` });
  };
  if (!c.crypto.suites[c.crypto.defaultSuite]) {
    out.push({ path: '/crypto/defaultSuite', message: `expected a suite configured under /crypto/suites ("${c.crypto.defaultSuite}" is not)` });
  }
  c.tls.ca.forEach((p, i) => file(Array.isArray(c.tls.ca) && c.tls.ca.length > 1 ? `/tls/ca/${i}` : '/tls/ca', p));
  file('/tls/cert', c.tls.cert);
  file('/tls/key', c.tls.key);
  c.tls.crl.forEach((p, i) => file(`/tls/crl/${i}`, p));
  for (const [name, s] of Object.entries(c.crypto.suites)) {
    for (const use of ['signing', 'encryption'] as const) {
      file(`/crypto/suites/${name}/${use}/cert`, s[use].cert);
      file(`/crypto/suites/${name}/${use}/key`, s[use].key);
    }
  }
  const seenSystems = new Set<string>();
  c.systems.forEach((s, i) => {
    if (seenSystems.has(s.id)) out.push({ path: `/systems/${i}/id`, message: `duplicate system id "${s.id}"` });
    seenSystems.add(s.id);
    file(`/systems/${i}/cert`, s.cert);
  });
  const members = new Set<string>([c.node.member]);
  c.peers.forEach((p, i) => {
    if (members.has(p.member)) out.push({ path: `/peers/${i}/member`, message: `duplicate or own member "${p.member}"` });
    members.add(p.member);
    if (!p.certs[p.suite]) out.push({ path: `/peers/${i}/certs`, message: `expected certificates for the peer's suite "${p.suite}"` });
    if (!c.crypto.suites[p.suite]) {
      out.push({ path: `/peers/${i}/suite`, message: `suite "${p.suite}" is not configured under /crypto/suites` });
    }
    file(`/peers/${i}/tlsCert`, p.tlsCert);
    for (const [name, pc] of Object.entries(p.certs)) {
      file(`/peers/${i}/certs/${name}/signing`, pc.signing);
      file(`/peers/${i}/certs/${name}/encryption`, pc.encryption);
    }
  });
  const agreementIds = new Set<string>();
  c.agreements.forEach((a, i) => {
    if (agreementIds.has(a.id)) out.push({ path: `/agreements/${i}/id`, message: `duplicate agreement id "${a.id}"` });
    agreementIds.add(a.id);
    if (!a.members.includes(c.node.member)) {
      out.push({ path: `/agreements/${i}/members`, message: `expected this node's member ${c.node.member} in the agreement` });
    }
  });
  c.seals?.trustedMakers.forEach((p, i) => file(`/seals/trustedMakers/${i}`, p));
  c.seals?.registry.forEach((r, i) => {
    file(`/seals/registry/${i}/file`, r.file);
    if (r.picture) file(`/seals/registry/${i}/picture`, r.picture);
    r.signers.forEach((g, j) => {
      file(`/seals/registry/${i}/signers/${j}/cert`, g.cert);
      file(`/seals/registry/${i}/signers/${j}/key`, g.key);
    });
  });
  return out;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}
