export { packetReceiptData, signReceipt, verifyReceipt } from './receipt.js';
export type { CertificateAnswer, ReceiptData, SignedReceipt } from './receipt.js';
