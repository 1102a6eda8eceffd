import { readFileSync } from 'node:fs';
import type { GatewayConfig, SealConfig } from '../config/index.js';
import type { KeyedIdentity, SuiteName } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { loadCertDer, loadIdentity } from '../pki/index.js';
import {
  describeSealFile,
  readSealCertificate,
  SEAL_TYPE,
  signDocument,
  signDocumentIntl,
  verifySealedDocument,
  type SealRole,
} from '../seal/index.js';

/** One identity that applies a seal from this gateway. */
export interface SealSigner {
  readonly role: SealRole;
  /** sm (SM2 → SES_Signature) or intl (P-256 → CMS), from the certificate's key. */
  readonly suite: SuiteName;
  readonly identity: KeyedIdentity;
  readonly subject: string;
}

/** A seal of this gateway's unit, loaded and checked. */
export interface LoadedSeal {
  readonly config: SealConfig;
  /** DER SESeal. */
  readonly der: Buffer;
  readonly signers: readonly SealSigner[];
}

/** The seals a node applies and the makers it trusts, loaded once per config. */
export interface SealMaterial {
  /** DER certificates of trusted seal makers or their CAs. */
  readonly trustedMakers: readonly Buffer[];
  readonly seals: readonly LoadedSeal[];
}

function invalid(path: string, message: string): GatewayError {
  return new GatewayError('GW_ERR_CONFIG_INVALID', `seals: ${message}`, [{ path, message }]);
}

function loadSeal(c: SealConfig, i: number): LoadedSeal {
  const at = `/seals/registry/${i}`;
  const der = readFileSync(c.file);
  let described: ReturnType<typeof describeSealFile>;
  try {
    described = describeSealFile(der);
  } catch {
    throw invalid(`${at}/file`, `${c.file} is not a GB/T 38540 v4 SESeal`);
  }
  const s = described.seal;
  if (described.format !== 'SESeal')
    throw invalid(`${at}/file`, `${c.file} is a ${described.format}, not a seal`);
  // The config names the seal so that administrators see what they load; a mismatch means the
  // wrong file, which must not be applied under the configured name.
  if (s.esID !== c.esID) throw invalid(`${at}/esID`, `the seal file's esID is ${s.esID}, not ${c.esID}`);
  if (s.name !== c.name) throw invalid(`${at}/name`, `the seal file is named "${s.name}", not "${c.name}"`);
  const type = c.type === 'unit' ? SEAL_TYPE.unit : SEAL_TYPE.personal;
  if (s.type !== type) throw invalid(`${at}/type`, `the seal file has type ${s.type}, not ${c.type}`);
  if (c.picture) {
    const inside = Buffer.from(described.decoded.seal.eSealInfo.picture.data);
    if (!readFileSync(c.picture).equals(inside))
      throw invalid(`${at}/picture`, `${c.picture} is not the picture inside the seal`);
  }
  const signers = c.signers.map((g, j): SealSigner => {
    const path = `${at}/signers/${j}`;
    const identity = loadIdentity(g.cert, g.key);
    const cert = readSealCertificate(identity.certDer);
    const suite: SuiteName = cert.algorithm === 'sm2' ? 'sm' : 'intl';
    // A probe signature proves, before the first real document, that the key matches, the
    // certificate is in the seal's list and both are valid now.
    const probe = Buffer.from(`tongban seal probe ${c.esID}`);
    try {
      const sig = (suite === 'sm' ? signDocument : signDocumentIntl)(probe, der, identity, {
        propertyInfo: 'probe',
      });
      const v = verifySealedDocument(probe, sig);
      if (!v.valid) throw invalid(path, `a probe signature does not verify: ${v.message}`);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'GW_ERR_CONFIG_INVALID') throw err;
      throw invalid(
        path,
        `${g.cert} cannot apply seal ${c.esID}: ${err instanceof Error ? err.message : 'unknown error'}`,
      );
    }
    return { role: g.role, suite, identity, subject: cert.subject };
  });
  return { config: c, der, signers };
}

/**
 * Load the seals of `config.seals` (undefined when the section is absent) and check each against
 * its file: esID, name, type and picture as configured, and every signer able to apply it now.
 * Throws GW_ERR_CONFIG_INVALID naming the config path, so a node fails at start or reload,
 * never at its first approval.
 */
export function loadSealMaterial(config: GatewayConfig): SealMaterial | undefined {
  if (!config.seals) return undefined;
  return {
    trustedMakers: config.seals.trustedMakers.map((f) => loadCertDer(f)),
    seals: config.seals.registry.map(loadSeal),
  };
}

/** The seal and identities that seal a document in `suite`: the unit seal, and the 承办人 when configured. */
export function sealSigners(
  material: SealMaterial | undefined,
  suite: SuiteName,
): { unit: { seal: Buffer; signer: KeyedIdentity }; officer?: { seal: Buffer; signer: KeyedIdentity } } {
  const unitSeal = material?.seals.find(
    (s) => s.config.type === 'unit' && s.signers.some((g) => g.role === 'unit' && g.suite === suite),
  );
  if (!unitSeal) {
    throw new GatewayError(
      'GW_ERR_SEAL_NOT_CONFIGURED',
      `no unit seal with a unit signer for the ${suite} suite is configured (seals.registry)`,
    );
  }
  const unitSigner = unitSeal.signers.find((g) => g.role === 'unit' && g.suite === suite)!;
  // The 承办人 signs with the unit seal when it lists them, else with their personal seal.
  const officerSeal = [unitSeal, ...(material?.seals ?? [])].find((s) =>
    s.signers.some((g) => g.role === 'officer' && g.suite === suite),
  );
  const officerSigner = officerSeal?.signers.find((g) => g.role === 'officer' && g.suite === suite);
  return {
    unit: { seal: unitSeal.der, signer: unitSigner.identity },
    ...(officerSeal && officerSigner
      ? { officer: { seal: officerSeal.der, signer: officerSigner.identity } }
      : {}),
  };
}
