import type { Redis } from 'ioredis';

/** Which way a packet goes through this node. */
export type Direction = 'out' | 'in';

/** Status of a packet at this node. */
export type PacketStatus =
  | 'accepted' // stored, being queued
  | 'queued' // in its peer's outbound queue
  | 'sent' // an attempt reached the peer
  | 'retrying'
  | 'delivered' // the peer's delivery receipt verified (out), or stored for the local system (in)
  | 'inbox' // waiting in a pull-mode system's inbox
  | 'pushed' // pushed to a push-mode system
  | 'acked' // pulled and acknowledged by the local system
  | 'dead' // gave up: permanent failure, retries exhausted or too old (dead letter)
  | 'dropped'; // removed from its queue by an administrator (`tongban queue drop`)

/** One line of a packet's status history. */
export interface StatusEntry {
  readonly status: PacketStatus;
  readonly at: string;
  readonly code?: string;
  readonly detail?: string;
}

/** A packet as this node stores it. */
export interface PacketRecord {
  readonly id: string;
  readonly direction: Direction;
  readonly type: string;
  readonly caseId: string;
  readonly from: string;
  readonly fromOffice: string;
  readonly to: string;
  readonly toOffice: string;
  /** out: the system that sent it; in: the system it is for. */
  readonly systemId: string;
  /** The local system that receives it at this node (inbound, or a 省内 local route). */
  readonly recipientSystemId?: string;
  /** Peer member it goes to (out) or came from (in); absent for 省内 local routes. */
  readonly peer?: string;
  readonly digest: string;
  /** Canonical JSON of the packet. */
  readonly packet: string;
  /** SHA-256 of the received envelope's CMS (in), to answer byte-identical retries cheaply. */
  readonly envelopeHash?: string;
  /** JSON of the WireEnvelope (out). */
  readonly envelope?: string;
  /** JSON of the acceptance receipt (out) or the delivery receipt we issued (in). */
  readonly receipt: string;
  /** JSON of the peer's delivery receipt (out), once received. */
  readonly deliveryReceipt?: string;
  readonly status: PacketStatus;
  readonly createdAt: string;
  readonly lastError?: string;
  /** When an administrator last retried it: the maximum age counts from here. */
  readonly retriedAt?: string;
  /** JSON of the seal verdicts and gateway-made sealed documents of a received packet (node/seal-inbound.ts). */
  readonly seals?: string;
}

// Claim a packet id atomically: the first writer stores the record, later ones learn the digest
// already stored, so a resubmission is answered with the original receipt and a different
// packet reusing the id is refused.
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('HGET', KEYS[1], 'digest')}
end
local f = cjson.decode(ARGV[1])
for k, v in pairs(f) do redis.call('HSET', KEYS[1], k, v) end
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], f['id'])
redis.call('ZADD', KEYS[4], ARGV[3], f['id'])
return {1, f['digest']}
`;

/** Redis-backed packet records, isolated by key prefix (one prefix per node, shared by its instances). */
export class PacketStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:pkt:${id}`;
  }

  private historyKey(id: string): string {
    return `${this.prefix}:pkt:${id}:h`;
  }

  /** Set of ids stored but not yet handed to a queue; swept at start-up. */
  private pendingKey(): string {
    return `${this.prefix}:pending`;
  }

  /** Ids by creation time (ms), for the retention sweep. */
  private createdKey(): string {
    return `${this.prefix}:created`;
  }

  /** Store a new record unless the id exists. Returns whether it was created and the stored digest. */
  async claim(record: PacketRecord): Promise<{ created: boolean; digest: string }> {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(record)) if (v !== undefined) fields[k] = String(v);
    const entry: StatusEntry = { status: record.status, at: record.createdAt };
    const [created, digest] = (await this.redis.eval(
      CLAIM,
      4,
      this.key(record.id),
      this.historyKey(record.id),
      this.pendingKey(),
      this.createdKey(),
      JSON.stringify(fields),
      JSON.stringify(entry),
      String(Date.parse(record.createdAt) || Date.now()),
    )) as [number, string];
    return { created: created === 1, digest };
  }

  /** Read a record, or undefined. */
  async get(id: string): Promise<PacketRecord | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    if (!h.id) return undefined;
    return h as unknown as PacketRecord;
  }

  /** Status history, oldest first. */
  async history(id: string): Promise<StatusEntry[]> {
    const items = await this.redis.lrange(this.historyKey(id), 0, -1);
    return items.map((s) => JSON.parse(s) as StatusEntry);
  }

  /** Move a record to a new status and append to its history, atomically. */
  async setStatus(
    id: string,
    status: PacketStatus,
    extra: { code?: string; detail?: string; fields?: Partial<Record<keyof PacketRecord, string>> } = {},
  ): Promise<void> {
    const entry: StatusEntry = { status, at: new Date().toISOString(), code: extra.code, detail: extra.detail };
    const m = this.redis.multi();
    m.hset(this.key(id), { status, ...(extra.fields ?? {}), ...(extra.code ? { lastError: extra.code } : {}) });
    m.rpush(this.historyKey(id), JSON.stringify(entry));
    if (status !== 'accepted') m.srem(this.pendingKey(), id);
    await m.exec();
  }

  /** Ids stored but not confirmed queued (a crash between store and enqueue). */
  async pending(): Promise<string[]> {
    return this.redis.smembers(this.pendingKey());
  }

  /** Ids of records created before `beforeMs`, oldest first (retention; see audit/retention-sweep). */
  async createdBefore(beforeMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.createdKey(), '-inf', `(${beforeMs}`, 'LIMIT', 0, limit);
  }

  /** Delete a record past its retention (packet, envelope, receipts, history); true if it existed. */
  async expire(id: string): Promise<boolean> {
    const res = await this.redis
      .multi()
      .del(this.key(id))
      .del(this.historyKey(id))
      .zrem(this.createdKey(), id)
      .srem(this.pendingKey(), id)
      .exec();
    return res?.[0]?.[1] === 1;
  }

  /** Look at a record again later: the sweep treats it as created at `asOfMs`. */
  async postpone(id: string, asOfMs: number): Promise<void> {
    await this.redis.zadd(this.createdKey(), 'XX', String(asOfMs), id);
  }

  /** A lease shared by a node's instances (one retention sweeper at a time); true when held by `owner`. */
  async lease(owner: string, ttlMs: number): Promise<boolean> {
    const key = `${this.prefix}:lease:retention`;
    if ((await this.redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK') return true;
    // The holder renews its own lease; compare-and-extend is one round trip in Lua.
    const renewed = await this.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end",
      1,
      key,
      owner,
      String(ttlMs),
    );
    return renewed === 1;
  }

  private inboxKey(systemId: string): string {
    return `${this.prefix}:inbox:${systemId}`;
  }

  /** Put a received packet in a pull-mode system's inbox. */
  async addToInbox(systemId: string, id: string): Promise<void> {
    await this.redis.zadd(this.inboxKey(systemId), 'NX', String(Date.now()), id);
  }

  /** Ids waiting in a system's inbox, oldest first. */
  async inbox(systemId: string, limit: number): Promise<string[]> {
    return this.redis.zrange(this.inboxKey(systemId), '0', String(limit - 1));
  }

  /** Remove an id from the inbox; true if it was there. */
  async ackInbox(systemId: string, id: string): Promise<boolean> {
    return (await this.redis.zrem(this.inboxKey(systemId), id)) === 1;
  }
}
