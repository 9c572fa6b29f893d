/**
 * Hostile HTML: every file of feedparser's sanitize corpus (745 feeds, each smuggling something: scripts, event
 * handlers, javascript: URLs, CSS expressions …), plus our own mutation-XSS and scheme-obfuscation cases, is served
 * from 127.0.0.1 as a source, ingested by the real `warta fetch`, and read back through the daemon's JSON Feed,
 * Atom and RSS renderings of an output that selects everything. Every HTML field and every URL is checked
 * (html-danger.ts). Target: nothing dangerous.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'htmlparser2';
import { getElementsByTagName, textContent } from 'domutils';
import type { Element } from 'domhandler';
import { freePort, REPO, runWarta } from '../helpers/daemon.js';
import { FeedServer } from '../helpers/feed-server.js';
import { tempDir } from '../helpers/tmp.js';
import { DaemonRun } from './daemon-run.js';
import { findDangers, isDangerous, loadParse5, type Danger } from './html-danger.js';
import { get, openReadOnly, writeConfig, type CheckOptions, type CheckResult } from './lib.js';

export const CORPUS = join(REPO, '../shared/corpora/feedparser/tests/wellformed/sanitize');

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Our own cases, beyond feedparser's: scheme obfuscation, mutation XSS, allowed elements with hostile attributes. */
export const OWN_CASES = [
  '<a href="jav&#x09;ascript:alert(1)">tab</a>',
  '<a href="&#106;avascript:alert(1)">entity</a>',
  '<a href="javascript&colon;alert(1)">colon entity</a>',
  '<a href=" javascript:alert(1)">space</a>',
  '<a href="\u0001javascript:alert(1)">control</a>',
  '<a href="JaVaScRiPt:alert(1)">case</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
  '<img src=x onerror=alert(1)>',
  '<img srcset="javascript:alert(1) 1x" src="https://ok.example/a.png">',
  '<img src="https://ok.example/a.png" alt="x&quot; onerror=&quot;alert(1)">',
  '<a href="https://ok.example/" title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">quoted</a>',
  '<svg><script>alert(1)</script></svg>',
  '<svg/onload=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  '<!--[if IE]><script>alert(1)</script><![endif]-->',
  '<![CDATA[<script>alert(1)</script>]]>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<<script>script>alert(1)<</script>/script>',
  '<ScRiPt>alert(1)</sCrIpT>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
  '<details open ontoggle=alert(1)><summary>s</summary></details>',
  '<table background="javascript:alert(1)"><tr><td>t</td></tr></table>',
  '<blockquote cite="javascript:alert(1)">q</blockquote>',
  '<q cite="vbscript:x">q</q>',
  '<time datetime="2026" onmouseover="alert(1)">t</time>',
  '<div style="background:url(javascript:alert(1))">css</div>',
  '<div style="width: expression(alert(1))">css</div>',
  '<div style="-moz-binding: url(https://evil.example/x.xml#xss)">css</div>',
  '<style>@import "javascript:alert(1)";</style>',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
  '<a href="//evil.example/x">protocol-relative</a>',
  '<a href="https://ok.example/" target="_blank" rel="opener">target</a>',
  '<x onclick=alert(1)>custom</x>',
  '<video><source onerror=alert(1)></video><audio src=x onerror=alert(1)></audio>',
  '<input autofocus onfocus=alert(1)>',
  '<a href="https://ok.example/" onclick="alert(1)" style="color:red">all at once</a>',
  '<p>deep' + '<div>'.repeat(3000) + 'x<script>alert(1)</script>' + '</div>'.repeat(3000) + '</p>',
];

function ownFeed(origin: string): string {
  const items = OWN_CASES.map((html, k) => `<item><title>own case ${k}</title><link>${origin}/own/${k}</link><guid isPermaLink="false">own-${k}</guid><description>${xmlEscape(html)}</description><content:encoded>${xmlEscape(html)}</content:encoded></item>`);
  return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>own</title><link>${origin}/</link><description>own cases</description>${items.join('')}</channel></rss>`;
}

/** A finding with where it was published. */
interface Found extends Danger {
  source: string;
  where: string;
}

const urlDangers = (url: unknown, what: string): Danger[] => (typeof url === 'string' ? findDangers(`<a href="${url.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">u</a>`).map((d) => ({ ...d, detail: `${what}: ${url.slice(0, 80)}` })) : []);

/** Checks one published document's HTML fields and URLs. */
function scanJson(body: string, sourceOf: (uid: string) => string): Found[] {
  const doc = JSON.parse(body) as { items: Record<string, unknown>[] };
  const out: Found[] = [];
  for (const it of doc.items) {
    const source = sourceOf(String(it.id));
    const add = (ds: Danger[], where: string) => out.push(...ds.map((d) => ({ ...d, source, where: `json ${where}` })));
    if (typeof it.content_html === 'string') add(findDangers(it.content_html), 'content_html');
    for (const key of ['url', 'external_url', 'image', 'banner_image']) add(urlDangers(it[key], key), key);
    for (const a of (it.authors as { url?: string; avatar?: string }[] | undefined) ?? []) add([...urlDangers(a.url, 'author url'), ...urlDangers(a.avatar, 'avatar')], 'authors');
  }
  return out;
}

function scanXml(body: string, entryTag: 'entry' | 'item', sourceOf: (uid: string) => string): Found[] {
  const doc = parseDocument(body, { xmlMode: true, decodeEntities: true });
  const out: Found[] = [];
  const format = entryTag === 'entry' ? 'atom' : 'rss';
  for (const entry of getElementsByTagName(entryTag, doc.children) as Element[]) {
    const idEl = getElementsByTagName(entryTag === 'entry' ? 'id' : 'guid', entry, true, 1)[0];
    const source = sourceOf(idEl ? textContent(idEl).trim() : '');
    const add = (ds: Danger[], where: string) => out.push(...ds.map((d) => ({ ...d, source, where: `${format} ${where}` })));
    for (const el of getElementsByTagName(() => true, entry.children, true) as Element[]) {
      const name = el.name.toLowerCase();
      const isHtml = (name === 'content' || name === 'summary') ? el.attribs.type === 'html' : name === 'description' || name === 'content:encoded';
      if (isHtml) add(findDangers(textContent(el)), name);
      if (name === 'content' && el.attribs.type === 'xhtml') add(findDangers(textContent(el)), 'xhtml content');
      for (const [attr, value] of Object.entries(el.attribs)) if (['href', 'src', 'url', 'uri'].includes(attr)) add(urlDangers(value, `${name}@${attr}`), name);
      const text = textContent(el).trim();
      if (['link', 'uri', 'comments'].includes(name) && text !== '' && el.children.every((c) => c.type === 'text')) add(urlDangers(text, name), name);
    }
  }
  return out;
}

/** Runs the corpus (and our own cases) through ingest and all three renderers. */
export async function runSanitizeCorpus(opts: CheckOptions): Promise<CheckResult> {
  if (!existsSync(CORPUS)) return { name: 'hostile/sanitize-corpus', ok: true, figures: { skipped: `no corpus at ${CORPUS}` } };
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.xml')).sort();
  const withParse5 = await loadParse5();
  // The detector must see the danger in the raw cases, or a zero below would mean nothing.
  const detected = OWN_CASES.filter((html) => findDangers(html).some(isDangerous)).length;
  const server = await new FeedServer().start();
  const tmp = tempDir('warta-sanitize-');
  const ids = new Map<string, string>();
  files.forEach((f, n) => {
    const body = readFileSync(join(CORPUS, f));
    server.routes.set(`/c/${n}.xml`, (_req, res) => res.writeHead(200, { 'Content-Type': 'application/xml' }).end(body));
    ids.set(`c${n}`, f);
  });
  server.routes.set('/own.xml', (_req, res) => res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(ownFeed(server.origin)));
  ids.set('own', 'own cases');
  const port = await freePort();
  const db = join(tmp.dir, 'warta.db');
  const config = join(tmp.dir, 'warta.yaml');
  writeConfig(config, {
    port,
    db,
    fetch: { schedule: '0 0 1 1 *', per_host: 32, concurrency: 32 },
    sources: [...files.map((_f, n) => ({ id: `c${n}`, url: server.url(`/c/${n}.xml`), tags: ['corpus'] })), { id: 'own', url: server.url('/own.xml'), tags: ['corpus'] }],
    tags: [{ name: 'corpus', match: 'zzzcorpusonly' }],
    outputs: [{ id: 'all', title: 'Everything', tags: ['corpus'], limit: 1000 }],
    logLevel: 'warn',
  });
  const problems: string[] = [];
  let run: DaemonRun | null = null;
  try {
    const fetched = await runWarta(['fetch', '--config', config]);
    const lines = fetched.stdout.trim().split('\n');
    const failed = lines.filter((l) => l.split('\t')[1] === 'failed');
    const ro = openReadOnly(db);
    const uidSource = new Map((ro.prepare('SELECT uid, source_id FROM items').all() as { uid: string; source_id: string }[]).map((r) => [r.uid, r.source_id]));
    const perSource = ro.prepare('SELECT count(DISTINCT source_id) FROM items').pluck().get() as number;
    ro.close();
    if (uidSource.size > 1000) problems.push(`${uidSource.size} items stored: the output's limit (1000) leaves some unchecked`);
    const sourceOf = (uid: string) => ids.get(uidSource.get(uid) ?? '') ?? `? ${uid}`;
    run = new DaemonRun(`http://127.0.0.1:${port}`, config, ['--log-level', 'warn']);
    if (!(await run.untilServing())) throw new Error(`the daemon did not start: ${run.daemon.stderr.slice(0, 500)}`);
    const found: Found[] = [];
    const served: Record<string, number> = {};
    for (const [format, scan] of [['json', (b: string) => scanJson(b, sourceOf)], ['atom', (b: string) => scanXml(b, 'entry', sourceOf)], ['rss', (b: string) => scanXml(b, 'item', sourceOf)]] as const) {
      const res = await get(`${run.base}/feeds/all.${format}`, 60_000);
      if (res.status !== 200) {
        problems.push(`/feeds/all.${format}: HTTP ${res.status}`);
        continue;
      }
      served[format] = res.body.length;
      found.push(...scan(res.body));
    }
    const dangerous = found.filter(isDangerous);
    const byKind = new Map<string, number>();
    for (const d of dangerous) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1);
    const harmless = found.filter((d) => !isDangerous(d));
    const harmlessKinds = new Map<string, number>();
    for (const d of harmless) harmlessKinds.set(d.kind, (harmlessKinds.get(d.kind) ?? 0) + 1);
    for (const d of dangerous.slice(0, 40)) problems.push(`${d.source} (${d.where}): ${d.kind}: ${d.detail}`);
    opts.progress(`sanitize: ${files.length} corpus files + ${OWN_CASES.length} own cases; ${uidSource.size} items from ${perSource} sources; ${failed.length} sources failed to parse`);
    for (const d of harmless.filter((x) => x.kind.startsWith('raw ') || x.kind === 'relative URL').slice(0, 10)) opts.progress(`sanitize: to look at: ${d.source} (${d.where}): ${d.kind}: ${d.detail}`);
    return {
      name: 'hostile/sanitize-corpus',
      ok: problems.length === 0,
      figures: {
        files: files.length,
        'own cases': OWN_CASES.length,
        'items published': uidSource.size,
        'sources not parsed': failed.length,
        'bytes served (json/atom/rss)': `${served.json ?? 0}/${served.atom ?? 0}/${served.rss ?? 0}`,
        'detector sees raw own cases': `${detected}/${OWN_CASES.length}`,
        dangerous: dangerous.length,
        ...(byKind.size ? { 'dangerous by kind': [...byKind].map(([k, n]) => `${k}:${n}`).join(' ') } : {}),
        'harmless findings': [...harmlessKinds].map(([k, n]) => `${k}:${n}`).join(' ') || 0,
        parsers: withParse5 ? 'parse5+htmlparser2' : 'htmlparser2 (parse5 not installed)',
      },
      details: problems,
    };
  } finally {
    await run?.stop();
    await server.stop();
    tmp.cleanup();
  }
}
