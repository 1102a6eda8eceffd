/**
 * The case layer of a node: eligibility and 出生医学证明 checks, case files moved by the packets a
 * node accepts, receives and gets receipts for, the case view, and the overdue watch. The node
 * calls it from its packet path (src/node) before anything is stored or queued, so a refused
 * packet leaves no trace but the refusal in the exchange log.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ExchangeLog } from '../audit/index.js';
import type { AgreementConfig, SystemConfig } from '../config/index.js';
import { GatewayError, isGatewayError, type ErrorCode } from '../errors.js';
import type { Packet } from '../packets/index.js';
import {
  BirthCertificateRegistry,
  maskCertificateNo,
  type CertificateState,
} from './birth-certificate-registry.js';
import type { CaseFile } from './case-file.js';
import type { CaseContext } from './case-record.js';
import { registerCaseRoutes } from './case-routes.js';
import {
  onApplicationAccepted,
  onApplicationReceipt,
  onApplicationReceived,
  onCompletion,
  onDecision,
} from './case-steps.js';
import { CaseStore, type CaseChange } from './case-store.js';
import { toCaseView, type CaseView } from './case-view.js';
import { checkEligibility, type ApplicationPacket } from './eligibility.js';
import { OverdueWatch, type OverdueFinding } from './overdue-watch.js';
import type { WorkingCalendar } from './working-days.js';

/** What the case layer needs from its node. */
export interface CaseServiceDeps {
  readonly redis: Redis;
  /** The node's key prefix (`config.redis.prefix`). */
  readonly prefix: string;
  /** This node's member code. */
  readonly member: string;
  readonly agreements: readonly AgreementConfig[];
  readonly calendar: WorkingCalendar;
  readonly exchangeLog: ExchangeLog;
  readonly logger: Logger;
  /** Period of the overdue watch; default 60 000 ms. */
  readonly overdueCheckMs?: number;
  /** Told after each watch pass how many open cases are past each deadline (metrics gauge). */
  readonly onOverdueCounts?: (counts: Readonly<Record<'review' | 'contact', number>>) => void;
  readonly now?: () => Date;
  /**
   * Ask the agreement's peers what their registries say about a 出生医学证明 number (the node
   * sends `birth-certificate.check` packets); absent, only this member's registry is consulted.
   */
  readonly queryPeers?: (no: string) => Promise<ReadonlyArray<PeerCertificateAnswer>>;
}

/** A peer's answer about a number, or why it gave none. */
export type PeerCertificateAnswer =
  | { readonly member: string; readonly certificateNo: string; readonly status: 'unused' | 'used' | 'blacklisted'; readonly reason?: string }
  | { readonly member: string; readonly error: string };

/** A number's status here and at the peers: blacklisted or used anywhere wins. */
export interface CertificateCheckResult {
  readonly certificateNo: string;
  readonly status: 'unused' | 'used' | 'blacklisted';
  readonly reason?: string;
  /** Member whose registry gave the status (this member when it is its own). */
  readonly source: string;
  readonly peers: ReadonlyArray<PeerCertificateAnswer>;
}

/** Where an accepted packet goes, as far as cases care. */
export interface AcceptRoute {
  readonly kind: 'peer' | 'local';
  /** The local system that receives it (local routes). */
  readonly recipientSystemId?: string;
}

/** The case layer's operations (see {@link createCaseService}). */
export interface CaseService {
  readonly store: CaseStore;
  readonly registry: BirthCertificateRegistry;
  /** A packet from a local system, before it is stored: checks, then the case step (committed). */
  accepting(packet: Packet, sender: SystemConfig, route: AcceptRoute): Promise<void>;
  /** A packet from a peer, before it is stored; `receivedAt` is the delivery receipt's time. */
  receiving(packet: Packet, peerMember: string, recipient: SystemConfig, receivedAt: string): Promise<void>;
  /** The peer's verified delivery receipt for a packet this node sent. Never throws a refusal. */
  peerReceipt(
    sent: { readonly packetId: string; readonly type: string; readonly caseId: string },
    receiptAt: string,
  ): Promise<void>;
  /** The case as a local system that owns it sees it; others get `GW_ERR_API_NOT_FOUND`. */
  view(system: SystemConfig, caseId: string): Promise<CaseView>;
  /** 受理地: the 不予受理告知书 was handed over and the 出生医学证明 returned. */
  confirmNotice(
    system: SystemConfig,
    caseId: string,
    input: { birthCertificateReturned: boolean; issuedOn?: string },
  ): Promise<CaseView>;
  checkCertificate(no: string): Promise<CertificateState>;
  /** This member's registry, then (when the number is unused here) the agreement's peers. */
  checkCertificateEverywhere(no: string): Promise<CertificateCheckResult>;
  /** One pass of the overdue watch: alerts newly overdue cases (once each); returns them. */
  checkOverdue(now?: Date): Promise<OverdueFinding[]>;
  /** Every open case past a deadline, alerted or not (for `tongban cases overdue`). */
  listOverdue(now?: Date, limit?: number): Promise<OverdueFinding[]>;
  registerRoutes(app: FastifyInstance, identify: (req: FastifyRequest) => SystemConfig): void;
  /** Start / stop the periodic overdue watch. */
  start(): void;
  stop(): Promise<void>;
}

/** Builds the case layer of a node. */
export function createCaseService(deps: CaseServiceDeps): CaseService {
  const now = deps.now ?? (() => new Date());
  const store = new CaseStore(deps.redis, deps.prefix, now);
  const registry = new BirthCertificateRegistry(deps.redis, deps.prefix);
  const ctx: CaseContext = { calendar: deps.calendar };
  const watch = new OverdueWatch({
    store,
    calendar: deps.calendar,
    exchangeLog: deps.exchangeLog,
    logger: deps.logger,
    member: deps.member,
    everyMs: deps.overdueCheckMs ?? 60_000,
    ...(deps.onOverdueCounts ? { onCounts: deps.onOverdueCounts } : {}),
  });

  const policyOf = (agreementId: string) => deps.agreements.find((a) => a.id === agreementId)?.policy;

  const certAlert = async (code: ErrorCode, p: Packet, actor: string, no: string): Promise<void> => {
    await deps.exchangeLog.record({
      event: 'alert',
      packetId: p.id,
      caseId: p.caseId,
      type: p.type,
      from: p.from.office,
      to: p.to.office,
      actor,
      outcome: 'error',
      code,
      detail: { alert: 'birth-certificate', certificate: maskCertificateNo(no) },
    });
  };

  /** Eligibility and the registry check of an application; alerts on a refused certificate. */
  const screenApplication = async (p: ApplicationPacket, actor: string): Promise<string | undefined> => {
    const policy = policyOf(p.agreement);
    if (policy) checkEligibility(p, policy, p.to.member);
    const no = p.payload.newborn.birthCertificateNo;
    const cert = await registry.check(no);
    if (cert.status !== 'unused') {
      const code = cert.status === 'blacklisted' ? 'GW_ERR_BIRTHCERT_BLACKLISTED' : 'GW_ERR_BIRTHCERT_USED';
      await certAlert(code, p, actor, no);
      throw new GatewayError(code, undefined, [
        {
          path: '/payload/newborn/birthCertificateNo',
          message: cert.status,
          certificate: maskCertificateNo(no),
        },
      ]);
    }
    return policy?.version;
  };

  /** Runs a case step; a refused 出生医学证明 claim is alerted before it is thrown. */
  const step = async (
    p: Packet,
    actor: string,
    change: (f: CaseFile | undefined) => CaseChange | undefined,
  ): Promise<void> => {
    try {
      await store.update(p.caseId, change);
    } catch (err) {
      if (
        isGatewayError(err, 'GW_ERR_BIRTHCERT_USED') ||
        isGatewayError(err, 'GW_ERR_BIRTHCERT_BLACKLISTED')
      ) {
        const no = (await store.get(p.caseId))?.birthCertificateNo ?? '';
        await certAlert(err.code, p, actor, no);
      }
      throw err;
    }
  };
  const changed = (
    next: CaseFile | undefined,
    certificate?: CaseChange['certificate'],
  ): CaseChange | undefined =>
    next === undefined ? undefined : { next, ...(certificate ? { certificate } : {}) };
  const approvalCertificate = (
    f: CaseFile | undefined,
    p: Packet,
    mode: 'claim' | 'note',
  ): CaseChange['certificate'] =>
    f !== undefined && p.type === 'newborn.decision' && p.payload.decision === 'approved'
      ? { key: registry.key(f.birthCertificateNo), mode }
      : undefined;

  const view = (file: CaseFile): CaseView => toCaseView(file, deps.member, now(), deps.calendar);
  const owned = async (system: SystemConfig, caseId: string): Promise<CaseFile> => {
    const file = await store.get(caseId);
    // Not yours and not there look the same: a case's existence is itself information.
    if (!file || !file.systems.includes(system.id))
      throw new GatewayError('GW_ERR_API_NOT_FOUND', `no case ${caseId} for this system`);
    return file;
  };

  const service: CaseService = {
    store,
    registry,

    async accepting(packet, sender, route) {
      const actor = `system:${sender.id}`;
      const at = now().toISOString();
      const systems = [sender.id, route.recipientSystemId].filter((s): s is string => s !== undefined);
      switch (packet.type) {
        case 'newborn.application': {
          const policyVersion = await screenApplication(packet, actor);
          const local = route.kind === 'local';
          return step(packet, actor, (f) =>
            changed(onApplicationAccepted(f, packet, { at, local, systems, policyVersion }, ctx)),
          );
        }
        case 'newborn.decision':
          return step(packet, actor, (f) =>
            changed(
              onDecision(f, packet, { at, member: deps.member, systems }, ctx),
              approvalCertificate(f, packet, 'claim'),
            ),
          );
        case 'newborn.completion':
          return step(packet, actor, (f) => changed(onCompletion(f, packet, { at, systems }, ctx)));
        default:
          return undefined;
      }
    },

    async receiving(packet, peerMember, recipient, receivedAt) {
      const actor = `peer:${peerMember}`;
      const systems = [recipient.id];
      switch (packet.type) {
        case 'newborn.application': {
          const policyVersion = await screenApplication(packet, actor);
          return step(packet, actor, (f) =>
            changed(onApplicationReceived(f, packet, { receivedAt, systems, policyVersion }, ctx)),
          );
        }
        case 'newborn.decision': {
          const u = await store.update(packet.caseId, (f) =>
            changed(
              onDecision(f, packet, { at: receivedAt, member: deps.member, systems }, ctx),
              approvalCertificate(f, packet, 'note'),
            ),
          );
          if (u.certificateUsedBy !== undefined && u.file) {
            // The 户籍地 approved a number this side had seen used by another case: tell someone.
            await certAlert('GW_ERR_BIRTHCERT_USED', packet, actor, u.file.birthCertificateNo);
          }
          return undefined;
        }
        case 'newborn.completion':
          return step(packet, actor, (f) =>
            changed(onCompletion(f, packet, { at: receivedAt, systems }, ctx)),
          );
        default:
          return undefined;
      }
    },

    async peerReceipt(sent, receiptAt) {
      if (sent.type !== 'newborn.application') return;
      try {
        await store.update(sent.caseId, (f) =>
          changed(onApplicationReceipt(f, sent.packetId, sent.caseId, receiptAt, ctx)),
        );
      } catch (err) {
        // The packet is delivered whatever the case says; a refusal here is a bookkeeping problem
        // to look at, not a reason to send again. Storage errors propagate (the job retries).
        if (!(err instanceof GatewayError) || !err.permanent) throw err;
        deps.logger.warn(
          { caseId: sent.caseId, packetId: sent.packetId, code: err.code },
          'delivery receipt did not fit the case',
        );
      }
    },

    view: async (system, caseId) => view(await owned(system, caseId)),

    async confirmNotice(system, caseId, input) {
      await owned(system, caseId);
      const at = now().toISOString();
      const u = await store.update(caseId, (f) => {
        if (!f?.notice || f.record.acceptingMember !== deps.member) {
          throw new GatewayError(
            'GW_ERR_CASE_INVALID_TRANSITION',
            `case ${caseId} has no 不予受理告知书 on this side (not rejected, or not the 受理地)`,
          );
        }
        return {
          next: {
            ...f,
            notice: {
              ...f.notice,
              birthCertificateReturned: input.birthCertificateReturned,
              ...(input.birthCertificateReturned ? { returnedAt: at } : {}),
              ...(input.issuedOn === undefined ? {} : { issuedOn: input.issuedOn }),
            },
          },
        };
      });
      await deps.exchangeLog.record({
        event: 'admin',
        caseId,
        actor: `system:${system.id}`,
        outcome: 'ok',
        detail: { action: 'rejection-notice', birthCertificateReturned: input.birthCertificateReturned },
      });
      return view(u.file!);
    },

    checkCertificate: (no) => registry.check(no),
    async checkCertificateEverywhere(no) {
      const local = await registry.check(no);
      const base = { certificateNo: no, ...(local.reason ? { reason: local.reason } : {}) };
      if (local.status !== 'unused' || !deps.queryPeers) {
        return { ...base, status: local.status, source: deps.member, peers: [] };
      }
      const peers = await deps.queryPeers(no);
      const rank = { blacklisted: 2, used: 1, unused: 0 } as const;
      let worst: { status: 'unused' | 'used' | 'blacklisted'; reason?: string; source: string } = { status: 'unused', source: deps.member };
      for (const p of peers) {
        if ('status' in p && rank[p.status] > rank[worst.status]) worst = { status: p.status, reason: p.reason, source: p.member };
      }
      return { certificateNo: no, status: worst.status, ...(worst.reason ? { reason: worst.reason } : {}), source: worst.source, peers };
    },
    checkOverdue: (at) => watch.runOnce(at ?? now()),
    listOverdue: (at, limit) => watch.list(at ?? now(), limit),
    registerRoutes: (app, identify) => registerCaseRoutes(app, identify, service),
    start: () => watch.start(now),
    stop: () => watch.stop(),
  };
  return service;
}
