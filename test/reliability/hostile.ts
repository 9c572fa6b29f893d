/**
 * Hostile XML and hostile HTTP. Feeds with external entities, entity expansion bombs and 100k-deep nesting are
 * fetched by the real `warta fetch`: each must be refused or neutralized within the body cap, no file or URL an
 * entity names may be read, and nothing may crash. Then the daemon's routes and API get bad parameters, path
 * traversal, oversized headers, wrong tokens and a pathological query: always a 4xx with a JSON body, never a
 * 500, never a file, never a stalled daemon.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { BIN, freePort, REPO } from '../helpers/daemon.js';
import { FeedServer, rss } from '../helpers/feed-server.js';
import { tempDir } from '../helpers/tmp.js';
import { DaemonRun } from './daemon-run.js';
import { get, openReadOnly, writeConfig, type CheckOptions, type CheckResult } from './lib.js';

const TOKEN = 'private-token-0123456789abcdef';

/** Hostile XML documents, by source id. `probe` paths are on the feed server: any hit means an entity was fetched. */
function hostileFeeds(origin: string): Record<string, string> {
  const item = (title: string, extra = '') => `<rss version="2.0"><channel><title>t</title><link>https://h.example/</link><description>d</description><item><title>${title}</title><link>https://h.example/1</link><guid>1</guid>${extra}</item></channel></rss>`;
  const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, k) => `<!ENTITY lol${k + 1} "${`&lol${k === 0 ? '' : k};`.repeat(10)}">`)].join('\n');
  const big = 'x'.repeat(60_000);
  return {
    'xxe-file': `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${item('before &xxe; after')}`,
    'xxe-http': `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "${origin}/probe/general">]>${item('before &xxe; after')}`,
    'xxe-param': `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "${origin}/probe/param"> %p;]>${item('param entity')}`,
    'xxe-public': `<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//X//Y" "${origin}/probe/dtd">${item('public dtd')}`,
    'xinclude': `<?xml version="1.0"?><rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude"><channel><title>t</title><item><title>x</title><guid>1</guid><description><xi:include href="file:///etc/passwd" parse="text"/></description></item></channel></rss>`,
    'billion-laughs': `<?xml version="1.0"?><!DOCTYPE rss [\n${lol}\n]>${item('&lol9;')}`,
    'quadratic-blowup': `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "${big}">]>${item('q', `<description>${'&a;'.repeat(50_000)}</description>`)}`,
    'deep-xml': `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>deep</title><guid>1</guid>${'<a>'.repeat(100_000)}x${'</a>'.repeat(100_000)}</item></channel></rss>`,
    'deep-xml-open': `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>deep</title><guid>1</guid>${'<a>'.repeat(100_000)}`,
    'deep-html': item('deep html', `<description>${'&lt;div&gt;'.repeat(100_000)}x${'&lt;/div&gt;'.repeat(100_000)}</description>`),
    'deep-json': `{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","title":"deep json","content_html":"x","_x":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`,
  };
}

/** `warta fetch` under /usr/bin/time: exit code, stdout lines and peak RSS (MiB). */
function fetchMeasured(config: string): Promise<{ code: number | null; stdout: string; stderr: string; peakMiB: number; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_KB %M', process.execPath, BIN, 'fetch', '--config', config], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr, peakMiB: Number(/PEAK_KB (\d+)/.exec(stderr)?.[1] ?? NaN) / 1024, ms: Date.now() - started }));
  });
}

/** Sends raw bytes and reads the status line (for requests fetch() refuses to make). */
function rawStatus(port: number, request: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const done = () => resolve(data.split('\r\n')[0] || `(no answer: ${data.length} bytes)`);
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\r\n')) socket.destroy();
    });
    socket.on('close', done);
    socket.on('error', () => done());
    socket.setTimeout(5000, () => socket.destroy());
    socket.write(request);
  });
}

/** One request case: path (with query) and the statuses that are acceptable. */
type Case = [path: string, ok: number[]];

function apiCases(): Case[] {
  const bad = [400];
  return [
    ['/api/items?since=notadate', bad], ['/api/items?since=2026-02-31', bad], ['/api/items?since=99999-01-01', bad],
    ['/api/items?since=2026-11-26T25:00:00Z', bad], ['/api/items?since=', bad], ['/api/items?since=-000001-01-01', bad],
    ['/api/items?limit=-1', bad], ['/api/items?limit=0', bad], ['/api/items?limit=501', bad], ['/api/items?limit=1e3', bad],
    ['/api/items?limit=1.5', bad], ['/api/items?limit=abc', bad], ['/api/items?limit=', bad], ['/api/items?limit=99999999999999999999999', bad],
    ['/api/items?limit=%00', bad], ['/api/items?tag=no-such-tag', bad], ['/api/items?source=no-such-source', bad],
    ['/api/items?limit=1&limit=2', bad], ['/api/items?tag=normal&tag=normal', bad], ['/api/items?q=a&q=b', bad], ['/api/items?foo=1', bad],
    ['/api/items?q=(', bad], ['/api/items?q=/(/', bad], ['/api/items?q=/a/g', bad], ['/api/items?q=%22unterminated', bad],
    ['/api/items?q=NEAR/99999', bad], ['/api/items?q=nosuchfield:x', [200, 400]], ['/api/items?q=' + encodeURIComponent('('.repeat(5000)), bad],
    ['/api/items?q=' + encodeURIComponent('a AND '.repeat(1000) + 'a'), [200, 400]],
    ['/api/items/abc', bad], ['/api/items/-1', bad], ['/api/items/99999999999999999999', bad], ['/api/items/1.5', bad],
    ['/api/items/%E0%A4%A', [400, 404]], ['/api/items/%ZZ', [400, 404]], ['/api/items/%00', [400, 404]], ['/api/items/999999', [404]],
    ['/api/items?limit=10', [200]],
  ];
}

function routeCases(): Case[] {
  const none = [400, 404];
  return [
    ['/tags/..%2f..%2fetc/passwd.rss', none], ['/feeds/%2e%2e/x.json', none], ['/feeds/..%2F..%2Fetc%2Fpasswd.json', none],
    ['/%2e%2e/%2e%2e/etc/passwd', none], ['/tags/%00.rss', none], ['//etc/passwd', none], ['/feeds/all.json/../../../etc/passwd', none],
    ['/feeds/..\\..\\etc\\passwd.json', none], ['/tags/%2e%2e%5c%2e%2e%5cetc%5cpasswd.atom', none], ['/feeds/all.json%00.rss', none],
    ['/feeds/all', none], ['/feeds/all.xml', none], ['/feeds/all.JSON', none], ['/feeds/' + 'a'.repeat(8000) + '.json', none],
    ['/' + '../'.repeat(2000) + 'etc/passwd', none], ['/dist/main.js', none], ['/package.json', none], ['/config/warta.yaml', none],
    ['/feeds/priv.json', none], ['/feeds/priv.json?token=wrong-token-0123456789abcdef', none], ['/feeds/priv.json?token=', none],
    [`/feeds/priv.json?token=${TOKEN.toUpperCase()}`, none], [`/feeds/priv.json?token=${TOKEN}x`, none], [`/feeds/priv.json?token=${TOKEN.slice(0, -1)}`, none],
    [`/feeds/priv.json?token=${encodeURIComponent(TOKEN + '\u0000')}`, none], [`/feeds/priv.json?token=wrong&token=${TOKEN}`, none],
    [`/feeds/priv.json?token=${TOKEN}`, [200]], [`/feeds/priv.atom?token=${TOKEN}`, [200]], ['/feeds/all.json', [200]],
  ];
}

export async function runHostile(opts: CheckOptions): Promise<CheckResult[]> {
  const server = await new FeedServer().start();
  const feeds = hostileFeeds(server.origin);
  for (const [id, body] of Object.entries(feeds)) server.routes.set(`/h/${id}`, (_req, res) => res.writeHead(200, { 'Content-Type': id === 'deep-json' ? 'application/feed+json' : 'application/xml' }).end(body));
  const normal = rss(Array.from({ length: 300 }, (_, k) => ({ guid: `n${k}`, link: `https://n.example/${k}`, title: `Berita ke-${k} tentang ekonomi dan politik di kawasan Asia Tenggara hari ini`, pubDate: new Date(Date.UTC(2026, 9, 1) + k * 60_000).toUTCString() })));
  server.routes.set('/normal.xml', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(normal));
  const tmp = tempDir('warta-hostile-');
  const port = await freePort();
  const db = join(tmp.dir, 'warta.db');
  const config = join(tmp.dir, 'warta.yaml');
  writeConfig(config, {
    port,
    db,
    fetch: { schedule: '0 0 1 1 *', max_body: '2MiB' },
    sources: [{ id: 'normal', url: server.url('/normal.xml') }, ...Object.keys(feeds).map((id) => ({ id, url: server.url(`/h/${id}`) }))],
    tags: [{ name: 'normal', match: 'ekonomi' }],
    outputs: [{ id: 'all', title: 'All', sources: ['normal', ...Object.keys(feeds)], limit: 1000 }, { id: 'priv', title: 'Private', tags: ['normal'], token: TOKEN }],
    logLevel: 'warn',
  });
  const xmlProblems: string[] = [];
  const httpProblems: string[] = [];
  const xmlFigures: CheckResult['figures'] = {};
  const httpFigures: CheckResult['figures'] = {};
  let run: DaemonRun | null = null;
  try {
    // ---- XML
    const f = await fetchMeasured(config);
    const outcomes = new Map(f.stdout.trim().split('\n').map((l) => l.split('\t')).map((p) => [p[0]!, `${p[1]}${p[6] ? ` ${p[6].split(':')[0]}` : ''}`]));
    xmlFigures['fetch exit'] = f.code ?? 'signal';
    xmlFigures['fetch ms'] = f.ms;
    xmlFigures['peak RSS MiB'] = Math.round(f.peakMiB);
    if (![0, 3].includes(f.code ?? -1) || /RangeError|Maximum call stack|at .*\.js:\d+/.test(f.stderr)) xmlProblems.push(`warta fetch exited ${f.code}: ${f.stderr.slice(0, 800)}`);
    if (f.peakMiB > 512) xmlProblems.push(`warta fetch peaked at ${Math.round(f.peakMiB)} MiB on the hostile feeds`);
    const probes = [...server.hits.keys()].filter((p) => p.startsWith('/probe/'));
    xmlFigures['entity URLs fetched'] = probes.length;
    if (probes.length) xmlProblems.push(`an entity's URL was fetched: ${probes.join(', ')}`);
    const ro = openReadOnly(db);
    const rows = ro.prepare("SELECT source_id, title, length(coalesce(title,'')) + length(coalesce(summary,'')) + length(coalesce(content,'')) AS size, coalesce(summary,'') || coalesce(content,'') AS body FROM items WHERE source_id != 'normal'").all() as { source_id: string; title: string; size: number; body: string }[];
    ro.close();
    for (const id of Object.keys(feeds)) {
      const stored = rows.filter((r) => r.source_id === id);
      const biggest = Math.max(0, ...stored.map((r) => r.size));
      xmlFigures[id] = `${outcomes.get(id) ?? 'no line'}${stored.length ? `, ${stored.length} item(s), ${biggest} chars` : ''}`;
      if (stored.some((r) => /root:.*:0:0:|\/bin\/(ba)?sh/.test(r.title + r.body))) xmlProblems.push(`${id}: /etc/passwd content was stored`);
      if (biggest > 2 * 1024 * 1024) xmlProblems.push(`${id}: an item of ${biggest} chars stored from a 2 MiB body cap`);
      if (!outcomes.has(id)) xmlProblems.push(`${id}: no outcome line from warta fetch`);
    }

    // ---- HTTP
    run = new DaemonRun(`http://127.0.0.1:${port}`, config, ['--log-level', 'warn']);
    if (!(await run.untilServing())) throw new Error(`the daemon did not start: ${run.daemon.stderr.slice(0, 500)}`);
    const allRes = await get(`${run.base}/feeds/all.json`, 30_000);
    xmlFigures['outputs with hostile items'] = `json ${allRes.status} (${allRes.body.length} bytes)`;
    if (allRes.status !== 200) xmlProblems.push(`/feeds/all.json with the hostile items answered ${allRes.status}: ${allRes.body.slice(0, 200)}`);
    for (const fmt of ['atom', 'rss']) {
      const r = await get(`${run.base}/feeds/all.${fmt}`, 30_000);
      if (r.status !== 200) xmlProblems.push(`/feeds/all.${fmt} with the hostile items answered ${r.status}`);
    }
    let checked = 0;
    let fiveHundreds = 0;
    for (const [path, ok] of [...apiCases(), ...routeCases()]) {
      const r = await get(`${run.base}${path}`, 10_000);
      checked++;
      if (r.status >= 500 || r.status === 0) fiveHundreds++;
      const shown = path.length > 80 ? `${path.slice(0, 60)}…(${path.length} chars)` : path;
      if (!ok.includes(r.status)) httpProblems.push(`${shown} → ${r.status} (expected ${ok.join('/')}): ${r.body.slice(0, 120)}`);
      else if (r.status >= 400 && r.status !== 431 && !/^\{"error":/.test(r.body)) httpProblems.push(`${shown} → ${r.status} without a JSON error body: ${r.body.slice(0, 80)}`);
      if (/root:.*:0:0:|"name":\s*"warta"|storage:/.test(r.body)) httpProblems.push(`${shown} → served a file: ${r.body.slice(0, 80)}`);
      if (r.status === 200 && path.startsWith('/feeds/priv') && !path.includes(`token=${TOKEN}`)) httpProblems.push(`${shown} → the private feed without its token`);
    }
    const opml = await get(`${run.base}/opml`);
    const index = await get(`${run.base}/`);
    if (opml.body.includes('priv') || index.body.includes(TOKEN)) httpProblems.push('the private output is listed (/opml or /)');
    const raw: [string, string | Buffer, RegExp][] = [
      ['100 KB header', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`, / 431 /],
      ['20 KB path', `GET /${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`, / (414|431) /],
      ['3000 headers', `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, k) => `X-${k}: v`).join('\r\n')}\r\n\r\n`, / (200|400|431) /],
      ['bad request line', 'GARBAGE\r\n\r\n', / 400 /],
      ['NUL in path', Buffer.from('GET /feeds/all\u0000.json HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'), / 400 /],
      ['POST', 'POST /feeds/all.json HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', / 405 /],
      ['absolute-form target', 'GET http://evil.example/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n', / 404 /],
    ];
    for (const [name, request, expect] of raw) {
      const status = await rawStatus(port, request);
      httpFigures[name] = status.replace('HTTP/1.1 ', '');
      if (!expect.test(` ${status.split(' ')[1] ?? ''} `)) httpProblems.push(`${name}: ${status} (expected ${expect.source.trim()})`);
      checked++;
    }
    httpFigures['requests checked'] = checked;
    httpFigures['5xx'] = fiveHundreds;

    // A query whose regex backtracks catastrophically on ordinary titles: the request may be refused or cut
    // short, but the daemon must keep answering others (the event loop is shared by every output).
    const redos = get(`${run.base}/api/items?q=${encodeURIComponent('/(.*.*)*#/')}`, 8000);
    await new Promise((r) => setTimeout(r, 500));
    const health = await get(`${run.base}/healthz`, 5000);
    const redosRes = await redos;
    httpFigures['catastrophic /regex/ query'] = `${redosRes.status || 'no answer'} in ${redosRes.ms} ms; /healthz meanwhile ${health.status || 'no answer'} in ${health.ms} ms`;
    if (health.status !== 200) httpProblems.push(`GET /api/items?q=/(.*.*)*#/ stalls the daemon: /healthz got no answer within 5 s (the regex runs on the event loop with no bound)`);
  } finally {
    await run?.kill();
    await server.stop();
    tmp.cleanup();
  }
  opts.progress(`hostile: ${Object.keys(feeds).length} hostile feeds, ${apiCases().length + routeCases().length} request cases`);
  return [
    { name: 'hostile/xml', ok: xmlProblems.length === 0, figures: xmlFigures, details: xmlProblems },
    { name: 'hostile/http', ok: httpProblems.length === 0, figures: httpFigures, details: httpProblems },
  ];
}
