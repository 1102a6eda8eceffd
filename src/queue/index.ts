export { PacketStore } from './packet-store.js';
export type { Direction, PacketRecord, PacketStatus, StatusEntry } from './packet-store.js';
export { DeliveryQueues } from './queues.js';
export type { QueueHandlers, RetryOptions } from './queues.js';
export { DeliveryFailure, classifyDeliveryError, failureFromResponse, isPermanentHttpStatus } from './retry-policy.js';
export { connectRedis, waitReady, freePort, resolveRedis, startPrivateRedis } from './redis-connection.js';
export type { RedisTarget } from './redis-connection.js';
