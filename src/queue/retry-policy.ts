import { GatewayError } from '../errors.js';

/**
 * The one place that decides what is worth retrying. A peer's 4xx means it read our request and
 * refused it (bad signature, schema, route): sending the same bytes again cannot succeed, and
 * retrying would only storm the peer. 408 and 429 are the exceptions: the peer asks us to come
 * back later. 5xx and network errors are transient by nature.
 */
export function isPermanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** A failed delivery attempt, with the decision whether to retry. */
export class DeliveryFailure extends Error {
  readonly permanent: boolean;
  readonly code: string;
  readonly status?: number;

  constructor(message: string, opts: { permanent: boolean; code: string; status?: number; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'DeliveryFailure';
    this.permanent = opts.permanent;
    this.code = opts.code;
    this.status = opts.status;
  }
}

/** Turn an HTTP answer that is not 2xx into a DeliveryFailure, keeping the peer's own error code. */
export function failureFromResponse(status: number, body: Buffer): DeliveryFailure {
  let remoteCode = '';
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { code?: unknown };
    if (typeof parsed.code === 'string') remoteCode = parsed.code;
  } catch {
    // Not our error shape (a proxy, say): the status alone decides.
  }
  const permanent = isPermanentHttpStatus(status);
  return new DeliveryFailure(`peer answered ${status}${remoteCode ? ` ${remoteCode}` : ''}`, {
    permanent,
    code: permanent ? 'GW_ERR_DELIVERY_REMOTE_REJECTED' : 'GW_ERR_DELIVERY_UNREACHABLE',
    status,
  });
}

/** Classify any error thrown while delivering. */
export function classifyDeliveryError(err: unknown): DeliveryFailure {
  if (err instanceof DeliveryFailure) return err;
  if (err instanceof GatewayError) {
    return new DeliveryFailure(err.message, { permanent: err.permanent, code: err.code, cause: err });
  }
  // Socket resets, refused connections, TLS handshake failures, timeouts: the peer may come back.
  return new DeliveryFailure((err as Error)?.message ?? String(err), {
    permanent: false,
    code: 'GW_ERR_DELIVERY_UNREACHABLE',
    cause: err,
  });
}
