import { request } from 'node:http';

/** An answer, body as text. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * GET over node:http from a chosen loopback source address (`from`, e.g. 127.0.0.2 to play a client from another
 * machine; fetch() cannot choose it). Every answer is also pushed to `seen`, for searching all bodies at once.
 */
export function get(url: string, opts: { from?: string; headers?: Record<string, string>; seen?: Answer[] } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers: opts.headers, localAddress: opts.from, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') };
        opts.seen?.push(answer);
        resolve(answer);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
