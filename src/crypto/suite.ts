import type { KeyObject } from 'node:crypto';

/** Name of a crypto suite; chosen per peer in config. */
export type SuiteName = 'sm' | 'intl';

/** A certificate with its private key, loaded from config (PEM files). */
export interface KeyedIdentity {
  /** The certificate, DER. */
  readonly certDer: Buffer;
  /** The private key matching the certificate. */
  readonly privateKey: KeyObject;
}

/** What `verify` found in a valid SignedData. */
export interface VerifiedContent {
  /** The encapsulated content that was signed. */
  readonly content: Buffer;
  /** The signer's certificate (DER) whose key produced the verified signature. */
  readonly signerCertDer: Buffer;
  /** The signing time attribute, when present. */
  readonly signingTime?: Date;
}

/**
 * Message-level protection behind one interface, so that the gateway's packet path does not
 * care which algorithms a peer uses. `intl` produces RFC 5652 CMS that `openssl cms` accepts;
 * `sm` produces GM/T 0010 structures with SM2/SM3/SM4.
 *
 * All methods throw `GatewayError` with a `GW_ERR_CRYPTO_*` code on bad input.
 */
export interface CryptoSuite {
  readonly name: SuiteName;

  /** Digest used for hash chains and content digests (SHA-256 or SM3). */
  digest(data: Buffer | string): Buffer;

  /**
   * Sign `content` and return a DER ContentInfo(SignedData) that encapsulates it, with the
   * signer's certificate included and a signing-time attribute.
   */
  sign(content: Buffer, signer: KeyedIdentity): Promise<Buffer>;

  /**
   * Verify a DER ContentInfo(SignedData) made by `sign`. When `expectedSignerCertDer` is given,
   * the signature must have been made by that certificate's key (pinning); otherwise by the
   * certificate carried in the SignedData (the caller must then decide whether to trust it).
   */
  verify(signedData: Buffer, expectedSignerCertDer?: Buffer): Promise<VerifiedContent>;

  /** Encrypt `content` for the holder of `recipientCertDer`; returns DER ContentInfo(Enveloped). */
  encrypt(content: Buffer, recipientCertDer: Buffer): Promise<Buffer>;

  /** Decrypt a DER ContentInfo made by `encrypt` with the recipient's identity. */
  decrypt(envelope: Buffer, recipient: KeyedIdentity): Promise<Buffer>;
}
