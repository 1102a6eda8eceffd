import type { AgreementConfig, GatewayConfig, PeerConfig, SystemConfig } from '../config/index.js';
import { GatewayError } from '../errors.js';
import type { Packet } from '../packets/index.js';

/** Where an accepted packet goes. */
export type Route =
  | { readonly kind: 'peer'; readonly peer: PeerConfig; readonly agreement: AgreementConfig }
  | { readonly kind: 'local'; readonly system: SystemConfig; readonly agreement: AgreementConfig };

/** Routing decisions: only what an agreement allows, decided before anything is queued. */
export interface Router {
  /** Route a packet a local system submitted, or throw a coded refusal. */
  routeOutbound(packet: Packet, sender: SystemConfig): Route;
  /** Check a packet that arrived from `peerMember` and find the local system it is for. */
  routeInbound(packet: Packet, peerMember: string): { system: SystemConfig; agreement: AgreementConfig };
  /** The local system serving an office code, if any. */
  systemForOffice(office: string, type: string): SystemConfig | undefined;
}

/** Build the router for a node's config. */
export function createRouter(config: GatewayConfig): Router {
  const own = config.node.member;
  const peers = new Map(config.peers.map((p) => [p.member, p]));

  const systemForOffice = (office: string, type: string): SystemConfig | undefined =>
    config.systems.find((s) => s.offices.some((o) => office.startsWith(o)) && s.allowedTypes.includes(type as never)) ??
    config.systems.find((s) => s.offices.some((o) => office.startsWith(o)));

  const agreementFor = (packet: Packet): AgreementConfig => {
    const from = packet.from.member;
    const to = packet.to.member;
    const a = config.agreements.find((x) => x.id === packet.agreement);
    const refuse = (why: string): GatewayError =>
      new GatewayError('GW_ERR_ROUTE_NO_AGREEMENT', `no agreement covers ${from} → ${to} for ${packet.type}: ${why}`, [
        { path: '/agreement', message: why },
      ]);
    if (!a) throw refuse(`agreement "${packet.agreement}" is not configured on this gateway`);
    if (!a.members.includes(from) || !a.members.includes(to)) {
      throw refuse(`agreement "${a.id}" does not include both ${from} and ${to}`);
    }
    if (!a.types.includes(packet.type as never)) throw refuse(`agreement "${a.id}" does not cover ${packet.type}`);
    // 省内通办 stays inside one member; a cross-province route needs a cross-province agreement.
    if ((from === to) !== a.intra) {
      throw refuse(from === to ? `agreement "${a.id}" is not an intra-province agreement` : `agreement "${a.id}" is intra-province only`);
    }
    return a;
  };

  return {
    systemForOffice,
    routeOutbound(packet, sender) {
      if (!sender.allowedTypes.includes(packet.type as never)) {
        throw new GatewayError('GW_ERR_AUTH_TYPE_NOT_ALLOWED', `system ${sender.id} may not send ${packet.type}`);
      }
      if (!sender.offices.some((o) => packet.from.office.startsWith(o))) {
        throw new GatewayError('GW_ERR_AUTH_OFFICE_NOT_ALLOWED', `system ${sender.id} may not send for office ${packet.from.office}`, [
          { path: '/from/office', message: 'office not served by this system' },
        ]);
      }
      if (packet.from.member !== own) {
        throw new GatewayError('GW_ERR_ROUTE_WRONG_ORIGIN', `packets from ${packet.from.member} cannot enter through ${own}`, [
          { path: '/from/member', message: `expected ${own}` },
        ]);
      }
      const agreement = agreementFor(packet);
      if (packet.to.member === own) {
        const system = systemForOffice(packet.to.office, packet.type);
        if (!system) {
          throw new GatewayError('GW_ERR_ROUTE_NO_LOCAL_SYSTEM', `no local system serves office ${packet.to.office}`, [
            { path: '/to/office', message: 'no local system' },
          ]);
        }
        return { kind: 'local', system, agreement };
      }
      const peer = peers.get(packet.to.member);
      if (!peer) {
        throw new GatewayError('GW_ERR_ROUTE_UNKNOWN_PEER', `member ${packet.to.member} is not a configured peer`, [
          { path: '/to/member', message: 'not a peer of this gateway' },
        ]);
      }
      return { kind: 'peer', peer, agreement };
    },
    routeInbound(packet, peerMember) {
      if (packet.from.member !== peerMember) {
        throw new GatewayError('GW_ERR_PEER_SIGNER_MISMATCH', `packet claims sender ${packet.from.member} but came from ${peerMember}`);
      }
      if (packet.to.member !== own) {
        throw new GatewayError('GW_ERR_PEER_WRONG_RECIPIENT', `packet is for ${packet.to.member}, this gateway is ${own}`);
      }
      const agreement = agreementFor(packet);
      const system = systemForOffice(packet.to.office, packet.type);
      if (!system) {
        throw new GatewayError('GW_ERR_ROUTE_NO_LOCAL_SYSTEM', `no local system serves office ${packet.to.office}`);
      }
      return { system, agreement };
    },
  };
}
