import { createHash } from 'node:crypto';
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

/** Key usages a certificate can carry (RFC 5280 §4.2.1.3 names). */
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign';

/** A certificate subject as the gateway's PKI names it. */
export interface SubjectName {
  readonly commonName: string;
  readonly organization?: string;
  readonly country?: string;
}

function rdn(type: string, value: AttributeValue): RelativeDistinguishedName {
  return new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]);
}

/** X.501 Name: countryName as PrintableString (X.520), the others UTF8String so Chinese names survive. */
export function buildName(s: SubjectName): Name {
  const rdns: RelativeDistinguishedName[] = [];
  if (s.country) rdns.push(rdn('2.5.4.6', new AttributeValue({ printableString: s.country })));
  if (s.organization) rdns.push(rdn('2.5.4.10', new AttributeValue({ utf8String: s.organization })));
  rdns.push(rdn('2.5.4.3', new AttributeValue({ utf8String: s.commonName })));
  return new Name(rdns);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (an identifier, not security). */
export function keyIdOf(spki: SubjectPublicKeyInfo): Buffer {
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** What goes into a certificate once the caller has checked keys, names and validity. */
export interface CertificateParts {
  readonly serialNumber: ArrayBuffer;
  readonly subject: Name;
  readonly subjectSpki: SubjectPublicKeyInfo;
  readonly issuer: Name;
  readonly authorityKeyId: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  readonly keyUsage: readonly KeyUsageName[];
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltNames?: ReadonlyArray<{ readonly type: 'dns' | 'ip'; readonly value: string }>;
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** Signs the DER TBSCertificate with the issuer's key (SM2-with-SM3, ECDSA or RSA). */
  readonly sign: (tbsDer: Buffer) => Buffer;
}

/**
 * Assemble and sign an X.509 v3 certificate: basicConstraints and keyUsage critical,
 * subject/authority key identifiers, extKeyUsage and subjectAltName when asked. Shared by the
 * SM2 and the international issuers, which differ only in keys and signature algorithm.
 */
export function assembleCertificate(p: CertificateParts): Buffer {
  const flags = p.keyUsage.reduce((acc, u) => acc | KeyUsageFlags[u], 0);
  const extensions: Extension[] = [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: p.isCa })),
    extension(id_ce_keyUsage, true, new KeyUsage(flags)),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdOf(p.subjectSpki))),
    extension(
      id_ce_authorityKeyIdentifier,
      false,
      new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(p.authorityKeyId) }),
    ),
  ];
  if (p.extKeyUsage?.length) {
    extensions.push(extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...p.extKeyUsage])));
  }
  if (p.subjectAltNames?.length) {
    const names = p.subjectAltNames.map((n) =>
      n.type === 'dns' ? new GeneralName({ dNSName: n.value }) : new GeneralName({ iPAddress: n.value }),
    );
    extensions.push(extension(id_ce_subjectAltName, false, new SubjectAlternativeName(names)));
  }
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: p.serialNumber,
    signature: p.signatureAlgorithm,
    issuer: p.issuer,
    validity: new Validity({ notBefore: p.notBefore, notAfter: p.notAfter }),
    subject: p.subject,
    subjectPublicKeyInfo: p.subjectSpki,
    extensions: new Extensions(extensions),
  });
  const signature = p.sign(Buffer.from(AsnConvert.serialize(tbs)));
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: p.signatureAlgorithm,
    signatureValue: new Uint8Array(signature).buffer,
  });
  return Buffer.from(AsnConvert.serialize(cert));
}
