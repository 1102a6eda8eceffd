import type { KeyedIdentity } from '../crypto/index.js';
import { makeSeal, SEAL_TYPE } from './make-seal.js';
import { drawSealPicture } from './seal-picture.js';

/** Province names of the members DESIGN §2 lists, for development seal names. */
const PROVINCES: Readonly<Record<string, string>> = {
  '520000': '贵州省',
  '510000': '四川省',
  '500000': '重庆市',
  '310000': '上海市',
  '320000': '江苏省',
  '330000': '浙江省',
  '340000': '安徽省',
  '420000': '湖北省',
  '450000': '广西壮族自治区',
};

/** What `createDevSeal` needs. */
export interface DevSealOptions {
  /** 6-digit member code. */
  readonly member: string;
  /** The member's seal maker identity (`sm-seal-maker` from `tongban certs init`). */
  readonly maker: KeyedIdentity;
  /** Certificates allowed to apply the seal (e.g. `sm-seal-signer`). */
  readonly signerCerts: readonly Buffer[];
  /** Start of validity. Default now. */
  readonly now?: Date;
  /** Validity in years. Default 3. */
  readonly years?: number;
}

/** A development seal and the facts a config entry needs. */
export interface DevSeal {
  readonly esID: string;
  readonly name: string;
  /** DER SESeal. */
  readonly seal: Buffer;
  /** The generated round red seal picture (PNG). */
  readonly picture: Buffer;
}

/**
 * esID and name of a member's development seal: esID `<member>01000001` (member code, seal type
 * 01, serial — a development convention, not an issued number), name
 * `<province>公安厅户籍专用章（开发用）`. Config generators use it to name the seal `createDevSeal`
 * makes.
 */
export function devSealIdentity(member: string): { readonly esID: string; readonly name: string } {
  return { esID: `${member}01000001`, name: `${PROVINCES[member] ?? member}公安厅户籍专用章（开发用）` };
}

/**
 * A development unit seal for a member, for `tongban certs init`: a generated round red picture
 * (40 mm), named `<province>公安厅户籍专用章（开发用）`, esID `<member>01000001` (member code,
 * seal type 01, serial — a development convention, not an issued number), valid `years` from
 * `now`, listing `signerCerts`.
 */
export function createDevSeal(opts: DevSealOptions): DevSeal {
  const now = opts.now ?? new Date();
  const validEnd = new Date(now);
  validEnd.setUTCFullYear(validEnd.getUTCFullYear() + (opts.years ?? 3));
  const picture = drawSealPicture();
  const { esID, name } = devSealIdentity(opts.member);
  const seal = makeSeal({
    esID,
    name,
    type: SEAL_TYPE.unit,
    picture: { type: 'png', data: picture, width: 40, height: 40 },
    validStart: now,
    validEnd,
    signerCerts: opts.signerCerts,
    maker: opts.maker,
    createDate: now,
  });
  return { esID, name, seal, picture };
}
