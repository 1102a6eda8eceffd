import { type Asn1Node, encodeDer, isContext, readIntegerBytes, readOctets, readSequence } from './asn1.js';
import type { CertificateInfo } from './certificate-info.js';
import { derIntegerBytes, derSequence } from './der-writer.js';

/** `IssuerAndSerialNumber` naming a certificate (RFC 5652 §10.2.4), DER. */
export function issuerAndSerial(cert: CertificateInfo): Buffer {
  return derSequence(cert.issuerDer, derIntegerBytes(cert.serial));
}

/** Which form a SignerIdentifier / RecipientIdentifier took; decides the CMS version. */
export type IdentifierForm = 'issuerAndSerialNumber' | 'subjectKeyIdentifier';

/** Form of a SignerIdentifier / RecipientIdentifier, or a malformed error. */
export function identifierForm(node: Asn1Node | undefined, what: string): IdentifierForm {
  if (isContext(node, 0)) {
    readOctets(node, what, 0);
    return 'subjectKeyIdentifier';
  }
  const [issuer, serial] = readSequence(node, what, 2, 2);
  readSequence(issuer, `${what} issuer`);
  readIntegerBytes(serial, `${what} serialNumber`);
  return 'issuerAndSerialNumber';
}

/**
 * True when a SignerIdentifier / RecipientIdentifier (CHOICE of IssuerAndSerialNumber or
 * `[0]` SubjectKeyIdentifier) names `cert`. Call `identifierForm` first to reject bad shapes.
 */
export function identifies(node: Asn1Node, cert: CertificateInfo): boolean {
  if (isContext(node, 0)) {
    const keyId = readOctets(node, 'subjectKeyIdentifier', 0);
    return cert.subjectKeyId !== undefined && keyId.equals(cert.subjectKeyId);
  }
  const [issuer, serial] = readSequence(node, 'issuerAndSerialNumber', 2, 2);
  if (!issuer || !serial) return false;
  return (
    encodeDer(issuer).equals(cert.issuerDer) && readIntegerBytes(serial, 'serialNumber').equals(cert.serial)
  );
}
