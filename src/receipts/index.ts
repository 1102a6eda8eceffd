export { signReceipt, verifyReceipt } from './receipt.js';
export type { ReceiptData, SignedReceipt } from './receipt.js';
