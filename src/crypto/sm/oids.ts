/**
 * Object identifiers of the 国密 algorithms (GM/T 0006) and GM/T 0010 content types, plus the
 * few PKIX/PKCS #9 ones the SM structures reuse.
 */
export const OID = {
  /** id-ecPublicKey (RFC 5480): the SPKI algorithm of SM2 keys, with the SM2 curve as parameter. */
  EC_PUBLIC_KEY: '1.2.840.10045.2.1',
  /** SM2 curve / algorithm (GM/T 0006). */
  SM2: '1.2.156.10197.1.301',
  /** SM2 signature. */
  SM2_SIGN: '1.2.156.10197.1.301.1',
  /** SM2 public-key encryption (key transport in GM/T 0010). */
  SM2_ENCRYPT: '1.2.156.10197.1.301.3',
  /** SM2 with SM3 signature (certificates and SignerInfo). */
  SM2_WITH_SM3: '1.2.156.10197.1.501',
  /** SM3 digest. */
  SM3: '1.2.156.10197.1.401',
  /** SM4-CBC. */
  SM4_CBC: '1.2.156.10197.1.104.2',
  /** SM4-GCM (GM/T 0006 2012 lists it under the SM4 arc). */
  SM4_GCM: '1.2.156.10197.1.104.8',
  /** GM/T 0010 data. */
  GM_DATA: '1.2.156.10197.6.1.4.2.1',
  /** GM/T 0010 signedData. */
  GM_SIGNED_DATA: '1.2.156.10197.6.1.4.2.2',
  /** GM/T 0010 envelopedData. */
  GM_ENVELOPED_DATA: '1.2.156.10197.6.1.4.2.3',
  /** PKCS #9 content-type attribute. */
  ATTR_CONTENT_TYPE: '1.2.840.113549.1.9.3',
  /** PKCS #9 message-digest attribute. */
  ATTR_MESSAGE_DIGEST: '1.2.840.113549.1.9.4',
  /** PKCS #9 signing-time attribute. */
  ATTR_SIGNING_TIME: '1.2.840.113549.1.9.5',
} as const;

/** DER encoding (tag 06 + length + value) of the OIDs used in key containers. */
export function encodeOid(oid: string): Buffer {
  const parts = oid.split('.').map((p) => Number(p));
  const bytes: number[] = [parts[0]! * 40 + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = Math.floor(part / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return Buffer.from([0x06, bytes.length, ...bytes]);
}

/** Dotted form of an OID's content octets (for error messages). */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) return '';
  const first = content[0]!;
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let v = 0;
  for (let i = 1; i < content.length; i++) {
    v = v * 128 + (content[i]! & 0x7f);
    if ((content[i]! & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}
