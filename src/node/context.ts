import type { Logger } from 'pino';
import type { GatewayMetrics } from '../admin/index.js';
import type { ExchangeLog } from '../audit/index.js';
import type { CaseService } from '../cases/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { CryptoSuite, SuiteName } from '../crypto/index.js';
import type { PacketValidator } from '../packets/index.js';
import type { PacketStore } from '../queue/index.js';
import type { Router } from '../routing/index.js';
import type { NodeMaterial } from './material.js';

/** Hands packets to the queues; implemented on BullMQ. */
export interface Dispatcher {
  /** Queue a packet for its peer (job id = packet id, so adding twice is harmless). */
  toPeer(peerMember: string, packetId: string): Promise<void>;
  /** Queue a packet for push delivery to a local system. */
  toSystem(systemId: string, packetId: string): Promise<void>;
}

/** Everything the packet path needs, passed in (no module-level singletons). */
export interface NodeContext {
  readonly config: GatewayConfig;
  readonly material: NodeMaterial;
  readonly suite: (name: SuiteName) => CryptoSuite;
  readonly store: PacketStore;
  readonly validator: PacketValidator;
  readonly router: Router;
  readonly exchangeLog: ExchangeLog;
  readonly logger: Logger;
  readonly dispatcher: Dispatcher;
  /** Prometheus metrics of this node (counters the packet path moves; the case layer sets `overdueCases`). */
  readonly metrics: GatewayMetrics;
  /** The case layer (state machine, eligibility, 出生医学证明 registry); absent in bare test nodes. */
  readonly cases?: CaseService;
}
