/**
 * The gateway's one error file: every error a caller can see has a stable `GW_ERR_<AREA>_<WHAT>`
 * code and an HTTP status. Codes are never renamed or reused; the README's table is checked
 * against this list by a test, both ways.
 */

/** Definition of one stable error code. */
export interface ErrorDefinition {
  /** HTTP status that fits the error. */
  readonly status: number;
  /** Default message shown to callers (may be overridden with a more precise one). */
  readonly message: string;
  /**
   * True when retrying the same input can never succeed (bad signature, schema violation,
   * unknown route). Queue workers use this to decide: permanent failures are not retried.
   */
  readonly permanent: boolean;
}

const def = (status: number, message: string, permanent = true): ErrorDefinition => ({
  status,
  message,
  permanent,
});

/** All stable error codes. Append only. */
export const ERROR_CODES = {
  // --- request shape (API and peer ports) ---
  GW_ERR_API_UNSUPPORTED_MEDIA_TYPE: def(415, 'Unsupported media type; send application/json or application/xml'),
  GW_ERR_API_UNSUPPORTED_CHARSET: def(415, 'Unsupported character set; use UTF-8, GBK or GB18030'),
  GW_ERR_API_BAD_ENCODING: def(400, 'Body bytes are not valid in the declared character set'),
  GW_ERR_API_CHARSET_MISMATCH: def(400, 'Content-Type charset, byte-order mark and XML declaration disagree'),
  GW_ERR_API_BODY_TOO_LARGE: def(413, 'Request body exceeds the configured limit'),
  GW_ERR_API_MALFORMED_JSON: def(400, 'Body is not well-formed JSON'),
  GW_ERR_API_MALFORMED_XML: def(400, 'Body is not well-formed XML'),
  GW_ERR_API_XML_DOCTYPE: def(400, 'XML with a DOCTYPE or entity declaration is refused'),
  GW_ERR_API_NOT_FOUND: def(404, 'No such resource'),
  GW_ERR_API_RATE_LIMITED: def(429, 'Too many requests', false),
  GW_ERR_API_TIMEOUT: def(408, 'Request timed out', false),
  GW_ERR_API_TOO_MANY_ATTACHMENTS: def(413, 'Too many attachments (limits.attachments)'),

  // --- identity (mTLS) ---
  GW_ERR_AUTH_NO_CLIENT_CERT: def(401, 'A client certificate is required'),
  GW_ERR_AUTH_UNTRUSTED_CERT: def(401, 'Client certificate is not issued by a trusted CA'),
  GW_ERR_AUTH_UNKNOWN_SYSTEM: def(403, 'Client certificate is not registered to any local system'),
  GW_ERR_AUTH_TYPE_NOT_ALLOWED: def(403, 'This system may not send this packet type'),
  GW_ERR_AUTH_OFFICE_NOT_ALLOWED: def(403, 'This system may not send for this office'),
  GW_ERR_AUTH_FORBIDDEN: def(403, 'Not allowed to see this resource'),
  GW_ERR_AUTH_CERT_REVOKED: def(401, 'Client certificate is revoked (listed in a configured CRL)'),
  GW_ERR_AUTH_CERT_EXPIRED: def(401, 'Client certificate is expired or not yet valid'),

  // --- packet content ---
  GW_ERR_PACKET_SCHEMA: def(422, 'Packet does not match its schema'),
  GW_ERR_PACKET_ID_CONFLICT: def(409, 'A different packet with this id was already accepted'),
  GW_ERR_PACKET_ID_NUMBER: def(422, 'Invalid 公民身份号码 (GB 11643 check digit, birth date or region)'),
  GW_ERR_PACKET_REGION_CODE: def(422, 'Invalid region or office code'),
  GW_ERR_PACKET_ATTACHMENT: def(422, 'Attachment is invalid (size, digest or encoding)'),

  // --- routing ---
  GW_ERR_ROUTE_NO_AGREEMENT: def(422, 'No agreement covers this route and packet type'),
  GW_ERR_ROUTE_UNKNOWN_PEER: def(422, 'The destination member is not a configured peer'),
  GW_ERR_ROUTE_WRONG_ORIGIN: def(422, "Packet's sender is not this gateway's member"),
  GW_ERR_ROUTE_NO_LOCAL_SYSTEM: def(422, 'No local system receives packets for the destination office'),

  // --- peer port ---
  GW_ERR_PEER_UNKNOWN: def(403, 'TLS client is not a pinned peer gateway'),
  GW_ERR_PEER_ENVELOPE_INVALID: def(400, 'Envelope is not well-formed'),
  GW_ERR_PEER_SIGNER_MISMATCH: def(403, "Envelope signer does not match the peer's TLS identity"),
  GW_ERR_PEER_WRONG_RECIPIENT: def(422, 'Envelope is addressed to another member'),
  GW_ERR_PEER_HEADER_MISMATCH: def(400, 'Envelope header does not match the signed packet'),
  GW_ERR_PEER_SUITE_UNSUPPORTED: def(422, 'Envelope uses a crypto suite not configured for this peer'),

  // --- cryptography ---
  GW_ERR_CRYPTO_SIGNATURE: def(400, 'Signature verification failed'),
  GW_ERR_CRYPTO_DECRYPT: def(400, 'Decryption failed (wrong recipient or tampered ciphertext)'),
  GW_ERR_CRYPTO_MALFORMED: def(400, 'Cryptographic structure is malformed (DER/CMS)'),
  GW_ERR_CRYPTO_INVALID_POINT: def(400, 'Public key or ciphertext point is not on the curve'),
  GW_ERR_CRYPTO_SIGNATURE_RANGE: def(400, 'Signature component r or s is out of range'),
  GW_ERR_CRYPTO_UNSUPPORTED_ALGORITHM: def(400, 'Unsupported cryptographic algorithm'),
  GW_ERR_CRYPTO_KEY: def(500, 'Key material is unusable for this operation'),

  // --- store / queue ---
  GW_ERR_STORE_UNAVAILABLE: def(503, 'Packet store is unavailable; nothing was accepted', false),

  // --- delivery (recorded on packets, not returned by the API) ---
  GW_ERR_DELIVERY_REMOTE_REJECTED: def(502, 'The peer refused the packet permanently'),
  GW_ERR_DELIVERY_UNREACHABLE: def(503, 'The peer could not be reached', false),
  GW_ERR_DELIVERY_RECEIPT_INVALID: def(502, "The peer's delivery receipt did not verify"),
  GW_ERR_DELIVERY_EXPIRED: def(502, 'The packet is older than retry.maxAgeHours; it stopped retrying (an administrator may retry it)'),

  // --- queue administration (tongban queue …) ---
  GW_ERR_QUEUE_NOT_FOUND: def(404, 'No queued or dead-lettered packet with this id'),
  GW_ERR_QUEUE_NOT_FAILED: def(409, 'Only a dead-lettered (failed) packet can be retried'),
  GW_ERR_QUEUE_JOB_ACTIVE: def(409, 'The packet is being delivered right now; try again when the attempt ends', false),

  // --- audit ---
  GW_ERR_AUDIT_UNAVAILABLE: def(503, 'The exchange log cannot be written; nothing was accepted', false),
  GW_ERR_AUDIT_QUERY_INVALID: def(400, 'Audit query is invalid (dates, format or options)'),
  GW_ERR_AUDIT_SECRET_INVALID: def(400, 'The audit key file is missing or is not a hex node secret'),
  GW_ERR_AUDIT_EVIDENCE_NOT_FOUND: def(404, 'No stored packet with this id (never seen here, or past its retention)'),
  GW_ERR_AUDIT_EVIDENCE_NOT_ANCHORED: def(409, "No signed checkpoint covers the packet's log entries yet; retry after the next checkpoint", false),
  GW_ERR_AUDIT_EVIDENCE_MALFORMED: def(422, 'Not an evidence bundle of a known format'),

  // --- configuration (CLI) ---
  GW_ERR_CONFIG_INVALID: def(500, 'Configuration is invalid'),
  GW_ERR_CONFIG_RELOAD_REFUSED: def(500, 'The new configuration changes settings that only a restart applies (node, listen, redis, audit)'),
  GW_ERR_CONFIG_NODE_NOT_RUNNING: def(500, 'No running node found for this config (pid file missing or stale)'),

  // --- cases ---
  GW_ERR_CASE_UNKNOWN: def(404, 'No such case'),
  GW_ERR_CASE_EXISTS: def(409, 'A case with this id already exists'),
  GW_ERR_CASE_ALREADY_DECIDED: def(409, 'The case has already been decided'),
  GW_ERR_CASE_WRONG_PARTY: def(403, 'This member is not the party of the case that may send this packet'),
  GW_ERR_CASE_NOT_APPROVED: def(409, 'The case is not approved; a completion may only follow an approval'),
  GW_ERR_CASE_REJECTED: def(409, 'The case was rejected; it cannot be completed'),
  GW_ERR_CASE_REPLY_MISMATCH: def(409, 'inReplyTo does not name the case packet that this packet answers'),
  GW_ERR_CASE_INVALID_TRANSITION: def(409, "This packet is not allowed in the case's current state"),
  GW_ERR_CASE_CALENDAR_MISSING: def(
    500,
    'The working-day calendar for this year is missing, so the deadline cannot be computed; administrators can add the year in config',
  ),

  // --- electronic seals (GB/T 38540); one code per verification reason ---
  GW_ERR_SEAL_MALFORMED: def(422, 'Seal or seal signature is malformed (not a GB/T 38540 v4 or seal CMS structure)'),
  GW_ERR_SEAL_DOCUMENT_DIGEST: def(422, 'The sealed document does not match the digest under the seal signature'),
  GW_ERR_SEAL_EXPIRED: def(422, "The document was sealed outside the seal's validity period"),
  GW_ERR_SEAL_SIGNER_NOT_IN_SEAL: def(422, "The signer's certificate is not among the seal's allowed signers"),
  GW_ERR_SEAL_MAKER_SIGNATURE: def(422, "The seal maker's signature over the seal does not verify"),
  GW_ERR_SEAL_SIGNER_SIGNATURE: def(422, "The signer's signature over the document does not verify"),
  GW_ERR_SEAL_PICTURE_SWAPPED: def(422, 'The seal picture is not the one the seal maker recorded'),
  GW_ERR_SEAL_SIGNER_CERT_EXPIRED: def(422, "The signer's certificate was not valid when the document was sealed"),
  GW_ERR_SEAL_UNTRUSTED_MAKER: def(422, 'The seal was made by a certificate that is not trusted'),
  GW_ERR_SEAL_MISSING: def(422, 'A required seal (unit seal or officer signature) is missing'),
  GW_ERR_SEAL_ROLE: def(422, 'A seal of the wrong kind was applied for its role'),
  GW_ERR_SEAL_PARAMETERS: def(500, 'Seal parameters are invalid (esID, validity, picture, certificates or keys)'),
  GW_ERR_SEAL_NOT_CONFIGURED: def(503, 'This gateway has no seal and signer configured for this document and suite (config `seals`)', false),

  // --- eligibility policy per agreement (newborn.application); messages for window officers ---
  GW_ERR_POLICY_NEWBORN_AGE: def(422, '新生儿申报时已超过本协议规定的年龄（如川渝黔/省内通办：不超过1周岁），请到户籍地办理'),
  GW_ERR_POLICY_MATERIALS_MISSING: def(422, '缺少本协议要求的申请材料（出生医学证明、户口簿、结婚证、申请书/承诺书等）'),
  GW_ERR_POLICY_MARRIAGE_MISSING: def(422, '未提供结婚证信息（证号及登记日期），不符合婚内生育入户条件'),
  GW_ERR_POLICY_HUKOU_REGION: def(422, '父母双方户籍均不在户籍地辖区内，不能在该地申报入户'),
  GW_ERR_POLICY_HOUSEHOLD: def(422, '新生儿只能随父或随母在其家庭户入户，申报的户主或与户主关系不符'),
  GW_ERR_POLICY_PARENT_ID: def(422, '父母公民身份号码不符合要求（须为内地居民身份号码、性别与父母身份一致、出生早于新生儿）'),
  GW_ERR_POLICY_COMMITMENT_MISSING: def(422, '申请人未签署承诺书'),

  // --- 出生医学证明 registry ---
  GW_ERR_BIRTHCERT_BLACKLISTED: def(422, '该出生医学证明编号已列入黑名单，不能办理出生登记'),
  GW_ERR_BIRTHCERT_USED: def(409, '该出生医学证明编号已被使用（已办理出生登记）'),
  GW_ERR_BIRTHCERT_NUMBER: def(422, 'Not a 出生医学证明 number (one capital letter and 9 digits)'),
  GW_ERR_BIRTHCERT_CSV: def(422, 'Blacklist CSV is invalid (header number,reason,reportedBy,reportedOn)'),

  GW_ERR_INTERNAL: def(500, 'Internal error', false),
} as const satisfies Record<string, ErrorDefinition>;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** One detail item of an error body, e.g. a failing schema path. */
export interface ErrorDetail {
  readonly path?: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

/** The gateway's error: callers match on `.code`. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: readonly ErrorDetail[];
  readonly permanent: boolean;

  constructor(code: ErrorCode, message?: string, details: readonly ErrorDetail[] = [], options?: ErrorOptions) {
    super(message ?? ERROR_CODES[code].message, options);
    this.name = 'GatewayError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.permanent = ERROR_CODES[code].permanent;
    this.details = details;
  }

  /** The one body shape the gateway answers with. */
  toBody(): { code: ErrorCode; message: string; details: readonly ErrorDetail[] } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a GatewayError with the given code. */
export function isGatewayError(err: unknown, code?: ErrorCode): err is GatewayError {
  return err instanceof GatewayError && (code === undefined || err.code === code);
}
