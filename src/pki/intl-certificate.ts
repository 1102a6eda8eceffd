import {
  createHash,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  sign as nodeSign,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { GatewayError } from '../errors.js';

/** Key usages a certificate request may ask for (RFC 5280 §4.2.1.3). */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

/** What an international (ECDSA/RSA) certificate should say; mirrors the SM2 request. */
export interface IntlCertRequest {
  readonly subject: {
    readonly commonName: string;
    readonly organization?: string;
    readonly country?: string;
  };
  /** Positive serial, INTEGER content octets; default 16 random bytes. */
  readonly serialNumber?: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly keyUsage: readonly KeyUsageName[];
  /** Extended key usage OIDs, e.g. `EKU.serverAuth`. */
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltNames?: ReadonlyArray<{ readonly type: 'dns' | 'ip'; readonly value: string }>;
  /** The subject's public key (any key type Node can export as SPKI). */
  readonly publicKey: KeyObject;
  /** The issuing CA (ECDSA P-256 or RSA key); absent for a self-signed certificate. */
  readonly issuer?: { readonly certDer: Buffer; readonly privateKey: KeyObject };
  /** The subject's own private key, required when `issuer` is absent. */
  readonly subjectPrivateKeyForSelfSigned?: KeyObject;
}

/** Extended key usage OIDs (RFC 5280 §4.2.1.12). */
export const EKU = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const generateKeyPairAsync = promisify(generateKeyPair);

/** A fresh ECDSA P-256 key pair (Node crypto). */
export async function generateEcP256KeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
}

/** A fresh RSA key pair (Node crypto, off the event loop); 2048 bits by default. */
export async function generateRsaKeyPair(
  bits = 2048,
): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

/** A positive 128-bit serial number (RFC 5280 §4.1.2.2: at most 20 octets, non-negative). */
export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive, and no leading zero octet
  return serial;
}

const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_RSA_SHA256 = '1.2.840.113549.1.1.11';
const DER_NULL = new Uint8Array([0x05, 0x00]).buffer;

/** Signature algorithm of an issuer key (RFC 5758 §3.2 ECDSA: no parameters; RSA: NULL). */
function signatureAlgorithm(key: KeyObject): AlgorithmIdentifier {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return new AlgorithmIdentifier({ algorithm: OID_ECDSA_SHA256 });
  }
  if (key.asymmetricKeyType === 'rsa')
    return new AlgorithmIdentifier({ algorithm: OID_RSA_SHA256, parameters: DER_NULL });
  throw new GatewayError('GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM', 'Issuer key must be ECDSA P-256 or RSA');
}

/** SPKI DER of a public key, or of the public half of a private key. */
function spkiDer(key: KeyObject): Buffer {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' });
}

function rdn(type: string, value: AttributeValue): RelativeDistinguishedName {
  return new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]);
}

function buildName(s: IntlCertRequest['subject']): Name {
  const rdns: RelativeDistinguishedName[] = [];
  // X.520: countryName is a PrintableString; UTF8String elsewhere (RFC 5280 §4.1.2.6).
  if (s.country) rdns.push(rdn('2.5.4.6', new AttributeValue({ printableString: s.country })));
  if (s.organization) rdns.push(rdn('2.5.4.10', new AttributeValue({ utf8String: s.organization })));
  rdns.push(rdn('2.5.4.3', new AttributeValue({ utf8String: s.commonName })));
  return new Name(rdns);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (an identifier, not security). */
function keyIdOf(spki: SubjectPublicKeyInfo): Buffer {
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function keyUsageFlags(usages: readonly KeyUsageName[]): number {
  return usages.reduce((flags, usage) => flags | KeyUsageFlags[usage], 0);
}

/**
 * Issue an X.509 v3 certificate signed with ECDSA-P-256-SHA-256 or RSA-SHA-256 by the issuer
 * (or self-signed): basicConstraints and keyUsage critical, subject/authority key identifiers,
 * extKeyUsage and subjectAltName when asked. Structures from @peculiar/asn1-x509, the
 * signature from Node's crypto.
 */
export function issueIntlCertificate(req: IntlCertRequest): Buffer {
  const subjectSpki = AsnConvert.parse(spkiDer(req.publicKey), SubjectPublicKeyInfo);
  const subject = buildName(req.subject);
  let issuerName = subject;
  let authorityKeyId = keyIdOf(subjectSpki);
  const signingKey = req.issuer?.privateKey ?? req.subjectPrivateKeyForSelfSigned;
  if (!signingKey)
    throw new GatewayError('GW_ERR_CRYPTO_KEY', 'A self-signed certificate needs the subject key');
  if (req.issuer) {
    const ca = AsnConvert.parse(req.issuer.certDer, Certificate);
    if (!spkiDer(new X509Certificate(req.issuer.certDer).publicKey).equals(spkiDer(req.issuer.privateKey))) {
      throw new GatewayError('GW_ERR_CRYPTO_KEY', 'Issuer private key does not match the issuer certificate');
    }
    issuerName = ca.tbsCertificate.subject;
    authorityKeyId = keyIdOf(ca.tbsCertificate.subjectPublicKeyInfo);
  } else if (!spkiDer(signingKey).equals(spkiDer(req.publicKey))) {
    throw new GatewayError('GW_ERR_CRYPTO_KEY', 'subjectPrivateKeyForSelfSigned does not match publicKey');
  }
  if (!(req.notAfter.getTime() > req.notBefore.getTime())) {
    throw new GatewayError('GW_ERR_CONFIG_INVALID', 'notAfter must be after notBefore');
  }

  const extensions: Extension[] = [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: req.isCa })),
    extension(id_ce_keyUsage, true, new KeyUsage(keyUsageFlags(req.keyUsage))),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdOf(subjectSpki))),
    extension(
      id_ce_authorityKeyIdentifier,
      false,
      new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(authorityKeyId) }),
    ),
  ];
  if (req.extKeyUsage?.length) {
    extensions.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...req.extKeyUsage])));
  }
  if (req.subjectAltNames?.length) {
    const names = req.subjectAltNames.map((n) =>
      n.type === 'dns' ? new GeneralName({ dNSName: n.value }) : new GeneralName({ iPAddress: n.value }),
    );
    extensions.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names)));
  }

  const sigAlg = signatureAlgorithm(signingKey);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(req.serialNumber ?? randomSerial()).buffer,
    signature: sigAlg,
    issuer: issuerName,
    validity: new Validity({ notBefore: req.notBefore, notAfter: req.notAfter }),
    subject,
    subjectPublicKeyInfo: subjectSpki,
    extensions: new Extensions(extensions),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = nodeSign('sha256', tbsDer, signingKey);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: sigAlg,
    signatureValue: new Uint8Array(signature).buffer,
  });
  return Buffer.from(AsnConvert.serialize(cert));
}
