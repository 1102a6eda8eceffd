/** Object identifiers used by the `intl` suite (RFC 5652, 5083, 5084, 4055, 5035, 5758). */
export const OID = {
  // RFC 5652 content types
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  // RFC 5083
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  // RFC 5652 §11 attributes
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  // RFC 5035 ESS signing-certificate-v2: binds the signer's certificate into the signature
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  // digests and signatures
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  // RFC 4055 RSAES-OAEP
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  pSpecified: '1.2.840.113549.1.1.9',
  // RFC 5084 AES-GCM
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  // X.509 extensions
  subjectKeyIdentifier: '2.5.29.14',
} as const;
