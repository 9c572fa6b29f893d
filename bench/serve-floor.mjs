// node:http's floor for bench/serve-instructions.ts --floor, bench/serve-syscalls.ts --floor and bench/serve-cluster.ts:
// a bare server that sends the daemon's own answers (headers and bodies recorded from it, in answers.json) with one
// writeHead each, the same server options as the daemon, nothing else: no routing, access checks, metrics or async
// handler. With WORKERS > 1 it is a node:cluster of that many processes sharing the port (the primary accepts and
// hands connections round-robin; with CLUSTER_SCHED=none the workers accept themselves).
//   node bench/serve-floor.mjs ANSWERS.json PORT [WORKERS=1]
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [file, port, workers = '1'] = process.argv.slice(2);
if (process.env.CLUSTER_SCHED === 'none') cluster.schedulingPolicy = cluster.SCHED_NONE;
if (Number(workers) > 1 && cluster.isPrimary) {
  for (let i = 0; i < Number(workers); i++) cluster.fork();
} else {
  const { etag, answers } = JSON.parse(readFileSync(file, 'utf8'));
  for (const a of Object.values(answers)) a.body = Buffer.from(a.body, 'base64');
  const send = (res, a, head) => {
    res.writeHead(a.status, a.headers);
    res.end(head || a.status === 304 ? undefined : a.body);
  };
  createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16_384 }, (req, res) => {
    if (req.url === '/healthz') return void res.end('ok');
    const feed = req.url === '/feeds/s1.rss' ? 's1' : 's0';
    if (req.headers['if-none-match'] === etag) return send(res, answers['304']);
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    send(res, answers[`${feed}-${gzip ? 'gzip' : 'identity'}`], req.method === 'HEAD');
  }).listen(Number(port), '127.0.0.1');
}
