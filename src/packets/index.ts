/** Packet layer: schemas, body parsing (JSON, XML in UTF-8/GBK/GB18030), validation, canonical form. */
export type {
  Attachment,
  AttachmentKind,
  BirthCertificateCheckPayload,
  BirthCertificateStatus,
  NewbornApplicationPayload,
  NewbornApprovalPayload,
  NewbornCompletionPayload,
  NewbornDecisionPayload,
  NewbornRejectionPayload,
  Packet,
  PacketOf,
  PacketType,
  Parent,
  Party,
  PayloadByType,
  ResidentRegistration,
  Reviewer,
  Sex,
} from './types.js';
export { PACKET_TYPES } from './types.js';
export { parseBody, parseContentType, MAX_JSON_DEPTH, type ContentType } from './parse-body.js';
export { MAX_XML_DEPTH } from './xml-body.js';
export { normalizeCharset, type SupportedCharset } from './charset.js';
export {
  createPacketValidator,
  MAX_SCHEMA_DETAILS,
  type PacketValidator,
  type PacketValidatorOptions,
} from './validator.js';
export { checkPacketDomain, type DomainCheckOptions } from './domain-checks.js';
export {
  validateIdNumber,
  idNumberCheckChar,
  chinaDate,
  type IdNumberResult,
  type IdNumberOptions,
} from './id-number.js';
export { PROVINCE_CODES, isKnownProvince, isMemberCode, isRegionCode } from './region-codes.js';
export { canonicalJson, packetDigestInput } from './canonical.js';
export {
  loadPacketSchemas,
  defaultSchemaDir,
  PACKET_SCHEMA_BASE,
  PACKET_SCHEMA_ID,
  PACKET_SCHEMA_FILES,
  type SchemaDocument,
} from './schemas.js';
