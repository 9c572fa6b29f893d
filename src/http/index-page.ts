/**
 * The page at `/` for humans: every feed warta publishes with subscribe links, and how each source is doing.
 *
 * One self-contained document: CSS inline, no script, no external resource, so it works offline and under a
 * strict Content-Security-Policy (INDEX_PAGE_CSP allows exactly this page's style by its hash). Every value
 * from config or feeds is escaped; feed titles are untrusted text.
 */
import { createHash } from 'node:crypto';
import { cleanText } from '../publish/text.js';

/** What the index page shows; the server assembles it from config, store and runtime. */
export interface IndexPageData {
  title: string;
  /** Public URL of this warta, without a trailing slash (Config.server.baseUrl). */
  baseUrl: string;
  /** `path` without extension, e.g. `/tags/vladimir-putin`; the page appends `.rss`, `.atom`, `.json`. */
  feeds: { title: string; path: string; kind: 'tag' | 'output' }[];
  /** Source health, for the admin only (null: the section is left out); URLs come already redacted. */
  sources: { id: string; title: string | null; url: string; state: string; lastPoll: Date | null; lastError: string | null; items: number }[] | null;
  lastRefresh: Date | null;
  version: string;
}

/** Media type of renderIndexPage's output. */
export const INDEX_PAGE_CONTENT_TYPE = 'text/html; charset=utf-8';

const FORMATS = [
  { ext: 'rss', label: 'RSS', type: 'application/rss+xml' },
  { ext: 'atom', label: 'Atom', type: 'application/atom+xml' },
  { ext: 'json', label: 'JSON', type: 'application/feed+json' },
] as const;

const STATES = new Set(['ok', 'degraded', 'failing', 'gone']);

// Kept as one constant so its hash in INDEX_PAGE_CSP always matches the bytes served.
const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;--link:#0550ae;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--gone:#59636e}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--card:#151b23;--link:#4493f8;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--gone:#9198a1}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
header,main,footer{max-width:64rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:.8rem;margin:1.25rem 0 .5rem;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
a{color:var(--link)}
p{margin:.25rem 0}
.meta,.hint,footer{color:var(--muted);font-size:.9rem}
.empty{color:var(--muted);font-style:italic}
ul.feeds{list-style:none;margin:0;padding:0;border:1px solid var(--line);border-radius:8px}
ul.feeds li{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.25rem 1rem;padding:.5rem .75rem;border-top:1px solid var(--line)}
ul.feeds li:first-child{border-top:0}
.name{font-weight:600;overflow-wrap:anywhere}
.formats{display:flex;gap:.4rem}
.formats a{font-size:.85rem;text-decoration:none;padding:.1rem .65rem;border:1px solid var(--line);border-radius:999px;background:var(--card)}
.formats a:hover,.formats a:focus-visible{border-color:var(--link)}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{text-align:left;vertical-align:top;padding:.5rem .75rem;border-bottom:1px solid var(--line)}
th{font-size:.75rem;color:var(--muted);text-transform:uppercase;letter-spacing:.05em;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums}
.nowrap{white-space:nowrap}
.source{overflow-wrap:anywhere}
.id{display:block;color:var(--muted);font:.8rem ui-monospace,SFMono-Regular,Menlo,monospace}
.error{color:var(--bad);font-size:.85rem;overflow-wrap:anywhere}
.state{display:inline-block;font-size:.8rem;font-weight:600;padding:0 .5rem;border:1px solid currentColor;border-radius:999px}
.state-ok{color:var(--ok)}.state-degraded{color:var(--warn)}.state-failing{color:var(--bad)}.state-gone{color:var(--gone)}
footer{padding-top:2rem;padding-bottom:2rem}
@media (max-width:40rem){
thead{display:none}
table,tbody,tr,td{display:block}
tr{margin-bottom:.75rem;border:1px solid var(--line);border-radius:8px;padding:.25rem 0}
td{border:0;padding:.2rem .75rem}
td.num{text-align:left}
td[data-label]{display:grid;grid-template-columns:5.5rem minmax(0,1fr);gap:.5rem;align-items:baseline}
td[data-label]::before{content:attr(data-label);color:var(--muted);font-size:.8rem}
td .state{justify-self:start}
}
`;

// A data: icon, so the browser does not ask for /favicon.ico (a 404 on every visit).
const ICON =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%23f26522'/%3E%3Ccircle cx='4.5' cy='11.5' r='1.5' fill='%23fff'/%3E%3Cpath d='M3 7a6 6 0 0 1 6 6M3 3.5A9.5 9.5 0 0 1 12.5 13' stroke='%23fff' stroke-width='2' fill='none'/%3E%3C/svg%3E";

/** The Content-Security-Policy to serve the page with: nothing but its own inline style and icon. */
export const INDEX_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The index page as a complete HTML document. */
export function renderIndexPage(d: IndexPageData): string {
  const base = d.baseUrl.replace(/\/+$/, '');
  const outputs = d.feeds.filter((f) => f.kind === 'output');
  const tags = d.feeds.filter((f) => f.kind === 'tag');
  const failing = (d.sources ?? []).filter((s) => s.state === 'failing' || s.state === 'gone').length;
  const health = d.sources === null ? '' : ` · ${count(d.sources.length, 'source')}${failing ? `, ${failing} failing` : ''}`;
  const discovery = d.feeds
    .map((f) => `<link rel="alternate" type="application/rss+xml" title="${esc(f.title)}" href="${esc(`${base}${f.path}.rss`)}">`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="warta ${esc(d.version)}">
<meta name="referrer" content="no-referrer">
<title>${esc(d.title)}</title>
<link rel="icon" href="${ICON}">
${discovery}
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(d.title)}</h1>
<p class="meta">Last refresh ${time(d.lastRefresh, 'not yet')}${health} · ${count(d.feeds.length, 'feed')}</p>
</header>
<main>
<section aria-labelledby="feeds">
<h2 id="feeds">Feeds</h2>
<p class="hint">Subscribe in any feed reader, or import every feed at once from <a href="${esc(`${base}/opml`)}">the OPML list</a>.</p>
${feedList('Outputs', outputs, base, 'No outputs are configured.')}
${feedList('Tags', tags, base, 'No tags are configured.')}
</section>
${d.sources === null ? '' : `<section aria-labelledby="sources">
<h2 id="sources">Sources</h2>
${sourceTable(d.sources)}
</section>`}
</main>
<footer>warta ${esc(d.version)} · <a href="${esc(`${base}/opml`)}">OPML</a> · <a href="${esc(`${base}/healthz`)}">health</a></footer>
</body>
</html>
`;
}

function feedList(heading: string, feeds: IndexPageData['feeds'], base: string, empty: string): string {
  if (feeds.length === 0) return `<h3>${heading}</h3>\n<p class="empty">${empty}</p>`;
  const items = feeds.map((f) => {
    const links = FORMATS.map((fmt) => `<a href="${esc(`${base}${f.path}.${fmt.ext}`)}" type="${fmt.type}" aria-label="${esc(`${f.title} as ${fmt.label}`)}">${fmt.label}</a>`).join('');
    return `<li><span class="name">${esc(f.title)}</span><span class="formats">${links}</span></li>`;
  });
  return `<h3>${heading}</h3>\n<ul class="feeds">\n${items.join('\n')}\n</ul>`;
}

function sourceTable(sources: NonNullable<IndexPageData['sources']>): string {
  if (sources.length === 0) return '<p class="empty">No sources are configured.</p>';
  const rows = sources.map((s) => {
    const state = STATES.has(s.state) ? s.state : 'unknown';
    const name = esc(s.title ?? s.id);
    // Only web URLs become links: a config is validated, but this page must not rely on that for safety.
    const link = /^https?:\/\//i.test(s.url) ? `<a href="${esc(s.url)}" rel="noreferrer nofollow">${name}</a>` : name;
    const id = s.title === null ? '' : `<span class="id">${esc(s.id)}</span>`;
    return `<tr><td class="source">${link}${id}</td>`
      + `<td data-label="State"><span class="state state-${state}">${esc(s.state)}</span></td>`
      + `<td data-label="Items" class="num">${new Intl.NumberFormat('en-US').format(s.items)}</td>`
      + `<td data-label="Last poll" class="nowrap">${time(s.lastPoll, 'never')}</td>`
      + `<td data-label="Last error">${s.lastError ? `<span class="error">${esc(s.lastError)}</span>` : '—'}</td></tr>`;
  });
  return `<div class="scroll"><table>
<thead><tr><th scope="col">Source</th><th scope="col">State</th><th scope="col" class="num">Items</th><th scope="col">Last poll</th><th scope="col">Last error</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

/** A time in UTC to the minute (the page has no clock of its own to say "5 minutes ago" against). */
function time(d: Date | null, none: string): string {
  if (d === null || Number.isNaN(d.getTime())) return none;
  const iso = d.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Escapes text for HTML content and double- or single-quoted attributes alike. */
function esc(s: string): string {
  return cleanText(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
