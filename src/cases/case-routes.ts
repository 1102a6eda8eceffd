/**
 * The case routes of the API port (mounted through `ApiService.extraRoutes`):
 * `GET /v1/cases/:caseId`, `POST /v1/cases/:caseId/rejection-notice`,
 * `POST /v1/birth-certificates/check`. Bodies arrive as raw bytes (the port's parser), JSON only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SystemConfig } from '../config/index.js';
import { GatewayError } from '../errors.js';
import { requireCertificateNo } from './birth-certificate-registry.js';
import type { CaseService } from './case-service.js';

const CASE_ID = /^[0-9A-Za-z][0-9A-Za-z_-]{5,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const body = req.body;
  if (!Buffer.isBuffer(body) || !/^application\/json/i.test(req.headers['content-type'] ?? '')) {
    throw new GatewayError('GW_ERR_API_UNSUPPORTED_MEDIA_TYPE', 'send application/json');
  }
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError('GW_ERR_API_MALFORMED_JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new GatewayError('GW_ERR_API_MALFORMED_JSON', 'expected a JSON object');
  return v as Record<string, unknown>;
}

/** Adds the case routes to the API port. */
export function registerCaseRoutes(
  app: FastifyInstance,
  identify: (req: FastifyRequest) => SystemConfig,
  cases: CaseService,
): void {
  app.get<{ Params: { caseId: string } }>('/v1/cases/:caseId', async (req) => {
    const system = identify(req);
    if (!CASE_ID.test(req.params.caseId)) throw new GatewayError('GW_ERR_API_NOT_FOUND');
    return cases.view(system, req.params.caseId);
  });

  app.post<{ Params: { caseId: string } }>('/v1/cases/:caseId/rejection-notice', async (req) => {
    const system = identify(req);
    if (!CASE_ID.test(req.params.caseId)) throw new GatewayError('GW_ERR_API_NOT_FOUND');
    const b = jsonBody(req);
    if (
      typeof b.birthCertificateReturned !== 'boolean' ||
      (b.issuedOn !== undefined && (typeof b.issuedOn !== 'string' || !DATE.test(b.issuedOn)))
    ) {
      throw new GatewayError(
        'GW_ERR_PACKET_SCHEMA',
        'expected {birthCertificateReturned: boolean, issuedOn?: "YYYY-MM-DD"}',
        [{ path: '/birthCertificateReturned', message: 'boolean required' }],
      );
    }
    return cases.confirmNotice(system, req.params.caseId, {
      birthCertificateReturned: b.birthCertificateReturned,
      ...(typeof b.issuedOn === 'string' ? { issuedOn: b.issuedOn } : {}),
    });
  });

  app.post('/v1/birth-certificates/check', async (req) => {
    identify(req);
    const no = requireCertificateNo(jsonBody(req).certificateNo);
    // Which case used a number is not the caller's business; the status and who reported it are.
    return cases.checkCertificateEverywhere(no);
  });
}
