import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

/** POST an envelope to a peer port presenting `member`'s node TLS certificate from `pkiDir`. */
export function postAsPeer(
  pkiDir: string,
  member: string,
  peerUrl: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = request(
      `${peerUrl}/v1/peer/packets`,
      {
        method: 'POST',
        ca: readFileSync(join(pkiDir, 'root-ca.crt')),
        cert: readFileSync(join(pkiDir, member, 'node-tls.crt')),
        key: readFileSync(join(pkiDir, member, 'node-tls.key')),
        headers: { 'content-type': 'application/json', 'content-length': data.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}
