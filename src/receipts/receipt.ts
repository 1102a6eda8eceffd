import type { CryptoSuite, KeyedIdentity, SuiteName } from '../crypto/index.js';
import { GatewayError } from '../errors.js';
import { canonicalJson, type Packet } from '../packets/index.js';

/** What a receipt (回执) attests. */
export interface ReceiptData {
  /** acceptance: the sender's gateway took the packet; delivery: the receiver's gateway stored it. */
  readonly kind: 'acceptance' | 'delivery';
  readonly packetId: string;
  readonly caseId: string;
  readonly type: string;
  readonly from: string;
  readonly to: string;
  /** Digest of the canonical packet bytes; lets the sender prove which content was received. */
  readonly digest: { readonly alg: 'sm3' | 'sha256'; readonly value: string };
  /** Member code of the gateway that issued the receipt. */
  readonly issuer: string;
  readonly at: string;
  /**
   * The receiving gateway's answer to a query packet (`birth-certificate.check`): what its own
   * 出生医学证明 registry says, signed with the receipt.
   */
  readonly answer?: CertificateAnswer;
}

/** A gateway's signed answer about a 出生医学证明 number. */
export interface CertificateAnswer {
  readonly certificateNo: string;
  readonly status: 'unused' | 'used' | 'blacklisted';
  readonly reason?: string;
}

/** A receipt with its detached-in-form, attached-in-fact CMS signature (base64 DER SignedData). */
export interface SignedReceipt extends ReceiptData {
  readonly suite: SuiteName;
  readonly signature: string;
}

function dataOf(r: ReceiptData): ReceiptData {
  const { kind, packetId, caseId, type, from, to, digest, issuer, at, answer } = r;
  return {
    kind,
    packetId,
    caseId,
    type,
    from,
    to,
    digest: { alg: digest.alg, value: digest.value },
    issuer,
    at,
    // Only present on answers, so ordinary receipts keep their exact signed bytes.
    ...(answer
      ? { answer: { certificateNo: answer.certificateNo, status: answer.status, ...(answer.reason ? { reason: answer.reason } : {}) } }
      : {}),
  };
}

/** What a receipt says about one packet; the digest is `suite`'s over the canonical packet. */
export function packetReceiptData(
  kind: ReceiptData['kind'],
  packet: Pick<Packet, 'id' | 'caseId' | 'type' | 'from' | 'to'>,
  suite: CryptoSuite,
  digestHex: string,
  issuer: string,
  at: string,
  answer?: CertificateAnswer,
): ReceiptData {
  return {
    kind,
    packetId: packet.id,
    caseId: packet.caseId,
    type: packet.type,
    from: packet.from.office,
    to: packet.to.office,
    digest: { alg: suite.name === 'sm' ? 'sm3' : 'sha256', value: digestHex },
    issuer,
    at,
    ...(answer ? { answer } : {}),
  };
}

/** Sign a receipt: the CMS encapsulates the canonical JSON of the receipt's fields. */
export async function signReceipt(data: ReceiptData, suite: CryptoSuite, signer: KeyedIdentity): Promise<SignedReceipt> {
  const body = Buffer.from(canonicalJson(dataOf(data)), 'utf8');
  const cms = await suite.sign(body, signer);
  return { ...dataOf(data), suite: suite.name, signature: cms.toString('base64') };
}

/**
 * Verify a receipt against the pinned certificate of the gateway that should have issued it:
 * the signature must verify and its content must equal the receipt's own fields.
 */
export async function verifyReceipt(receipt: SignedReceipt, suite: CryptoSuite, issuerCertDer: Buffer): Promise<ReceiptData> {
  if (receipt.suite !== suite.name) {
    throw new GatewayError('GW_ERR_DELIVERY_RECEIPT_INVALID', `receipt signed with suite ${receipt.suite}, expected ${suite.name}`);
  }
  let content: Buffer;
  try {
    ({ content } = await suite.verify(Buffer.from(receipt.signature, 'base64'), issuerCertDer));
  } catch (err) {
    throw new GatewayError('GW_ERR_DELIVERY_RECEIPT_INVALID', 'receipt signature does not verify', [], { cause: err });
  }
  if (content.toString('utf8') !== canonicalJson(dataOf(receipt))) {
    throw new GatewayError('GW_ERR_DELIVERY_RECEIPT_INVALID', 'receipt fields differ from the signed content');
  }
  return dataOf(receipt);
}
