/**
 * The page at `/` for humans: every feed warta publishes with subscribe links, and how each source is doing.
 *
 * One self-contained document: CSS inline, no script, no external resource, so it works offline and under a
 * strict Content-Security-Policy (INDEX_PAGE_CSP allows exactly this page's style by its hash). Every value
 * from config or feeds is escaped; feed titles are untrusted text. It renders what it is given: the route
 * leaves out the sources and the config status for visitors who may not see them.
 */
import { createHash } from 'node:crypto';
import { zoneLabel } from '../base/zoned-time.js';
import { answering, sourceTable, type IndexSource } from './index-sources.js';
import { count, esc, makeTimeHtml } from './page-html.js';

/** What the index page shows; the daemon assembles it from config, store and runtime. */
export interface IndexPageData {
  title: string;
  /** Public URL of this warta, without a trailing slash (Config.server.baseUrl). */
  baseUrl: string;
  /** IANA zone every time is shown in (config fetch.timezone); named in the header. */
  timezone: string;
  /** When the page is rendered (the zone's offset is the one in force now). */
  now: Date;
  /** `path` without extension, e.g. `/tags/vladimir-putin`; the page appends `.rss`, `.atom`, `.json`. `items`: what it holds now. */
  feeds: { title: string; path: string; kind: 'tag' | 'output'; items: number | null }[];
  /** Absent: the source section is not shown (a visitor who may not see it). */
  sources?: IndexSource[];
  /** The config in force and the last rejected reload; absent: not shown. */
  config?: ConfigStatus;
  lastRefresh: Date | null;
  version: string;
}

/** The config in force, since when, and the last reload that was rejected (daemon/reload-status.ts). */
export interface ConfigStatus {
  file: string;
  since: Date;
  /** `start`, or what triggered the reload that applied it. */
  how: string;
  lastRejected: { at: Date; reason: string; problems: string[] } | null;
}

export type { IndexSource };

/** Media type of renderIndexPage's output. */
export const INDEX_PAGE_CONTENT_TYPE = 'text/html; charset=utf-8';

const FORMATS = [
  { ext: 'rss', label: 'RSS', type: 'application/rss+xml' },
  { ext: 'atom', label: 'Atom', type: 'application/atom+xml' },
  { ext: 'json', label: 'JSON', type: 'application/feed+json' },
] as const;

// Kept as one constant so its hash in INDEX_PAGE_CSP always matches the bytes served.
const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;--link:#0550ae;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--gone:#59636e;--bad-bg:#ffebe9;--warn-bg:#fff8c5}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--card:#151b23;--link:#4493f8;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--gone:#9198a1;--bad-bg:#3c1618;--warn-bg:#37290a}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
header,main,footer{max-width:80rem;margin:0 auto;padding:0 1.5rem}
header{padding-top:1.5rem}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:1.75rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:.8rem;margin:1rem 0 .5rem;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
a{color:var(--link)}
p{margin:.25rem 0}
code{font:.85em ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
.meta,.hint,footer{color:var(--muted);font-size:.9rem}
.meta strong.good{color:var(--ok)}.meta strong.warn{color:var(--warn)}.meta strong.bad{color:var(--bad)}
.empty{color:var(--muted);font-style:italic}
.alert,.config.rejected{margin:.75rem 0 0;padding:.6rem .9rem;border:1px solid var(--bad);border-radius:8px;background:var(--bad-bg)}
.config{margin:1.25rem 0 0;padding:.6rem .9rem;border:1px solid var(--line);border-radius:8px;background:var(--card);font-size:.9rem}
.problems{margin:.4rem 0 .1rem;padding-left:1.25rem}
details summary{cursor:pointer;color:var(--muted)}
ul.feeds{list-style:none;margin:0;padding:0;border:1px solid var(--line);border-radius:8px;overflow:hidden;display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr))}
ul.feeds li{display:grid;grid-template-columns:minmax(0,1fr) auto;align-items:center;column-gap:1rem;padding:.5rem .75rem;border-bottom:1px solid var(--line);margin-bottom:-1px}
.name{font-weight:600;overflow-wrap:anywhere}
.count{grid-column:1;color:var(--muted);font-size:.85rem}
.count.zero{color:var(--warn);font-weight:600}
.formats{grid-column:2;grid-row:1/span 2;display:flex;gap:.4rem}
.formats a{font-size:.85rem;text-decoration:none;padding:.1rem .65rem;border:1px solid var(--line);border-radius:999px;background:var(--card)}
.formats a:hover,.formats a:focus-visible{border-color:var(--link)}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{text-align:left;vertical-align:top;padding:.5rem .75rem;border-bottom:1px solid var(--line)}
th{font-size:.75rem;color:var(--muted);text-transform:uppercase;letter-spacing:.05em;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums}
td .zero{color:var(--warn);font-weight:600}
time{white-space:nowrap}
.nowrap{white-space:nowrap}
.source{overflow-wrap:anywhere;min-width:14rem}
.id{color:var(--muted);font:.8rem ui-monospace,SFMono-Regular,Menlo,monospace}
.feed-url{color:var(--muted);font-size:.8rem;overflow-wrap:anywhere}
.why{display:block;color:var(--muted);font-size:.8rem;max-width:20rem}
.why-backoff,.why-retry_after,.why-host_paused{color:var(--warn)}
.error{color:var(--bad);font-size:.85rem;overflow-wrap:anywhere}
.state{display:inline-block;font-size:.8rem;font-weight:600;padding:0 .5rem;border:1px solid currentColor;border-radius:999px}
.state-ok{color:var(--ok)}.state-degraded{color:var(--warn)}.state-failing{color:var(--bad)}.state-gone{color:var(--gone)}
footer{padding-top:1.5rem;padding-bottom:1.5rem}
@media (max-width:40rem){
header,main,footer{padding-left:1rem;padding-right:1rem}
ul.feeds li{grid-template-columns:minmax(0,1fr)}
.formats{grid-column:1;grid-row:auto;margin-top:.25rem}
thead{display:none}
table,tbody,tr,td{display:block}
tr{margin-bottom:.75rem;border:1px solid var(--line);border-radius:8px;padding:.25rem 0}
tr.row-failing,tr.row-degraded{border-left:4px solid var(--bad)}
td{border:0;padding:.2rem .75rem}
td.num{text-align:left}
td[data-label]{display:grid;grid-template-columns:5.5rem minmax(0,1fr);gap:.5rem;align-items:baseline}
td[data-label]::before{content:attr(data-label);color:var(--muted);font-size:.8rem}
td .state{justify-self:start}
.why{max-width:none}
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
  const time = makeTimeHtml(d.timezone);
  const discovery = d.feeds
    .map((f) => `<link rel="alternate" type="application/rss+xml" title="${esc(f.title)}" href="${esc(`${base}${f.path}.rss`)}">`)
    .join('\n');
  const sources = d.sources === undefined ? '' : `<section aria-labelledby="sources">
<h2 id="sources">Sources</h2>
${sourceTable(d.sources, time)}
</section>
`;
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
${summary(d, time)}
</header>
<main>
${d.config ? configStatus(d.config, time) : ''}<section aria-labelledby="feeds">
<h2 id="feeds">Feeds</h2>
<p class="hint">Subscribe in any feed reader, or import every feed at once from <a href="${esc(`${base}/opml`)}">the OPML list</a>.</p>
${feedLists(d.feeds, base)}
</section>
${sources}</main>
<footer>warta ${esc(d.version)} · <a href="${esc(`${base}/opml`)}">OPML</a> · <a href="${esc(`${base}/healthz`)}">health</a></footer>
</body>
</html>
`;
}

/** The header's one line: last refresh, how many sources answer, feeds, and the zone times are in. */
function summary(d: IndexPageData, time: ReturnType<typeof makeTimeHtml>): string {
  const parts = [`Last refresh ${time(d.lastRefresh, 'not yet')}`];
  let alert = '';
  if (d.sources !== undefined) {
    const n = d.sources.length;
    const a = answering(d.sources);
    const cls = n > 0 && a.answering < n - a.unpolled ? (a.answering === 0 ? 'bad' : 'warn') : 'good';
    parts.push(`<strong class="${cls}">${a.answering} of ${count(n, 'source')} answering</strong>${a.unpolled ? `, ${a.unpolled} not polled yet` : ''}`);
    if (n > 0 && a.answering === 0 && a.unpolled < n) {
      alert = '<p class="alert" role="alert">No source is answering: the last poll of every polled source failed (see Last error below). The feeds serve what is stored.</p>';
    }
  }
  parts.push(count(d.feeds.length, 'feed'), `times in ${esc(zoneLabel(d.timezone, d.now))}`);
  return `<p class="meta">${parts.join(' · ')}</p>${alert ? `\n${alert}` : ''}`;
}

/** The config in force, and a rejected reload: alarming while it is the latest word, quiet once a reload applied. */
function configStatus(c: ConfigStatus, time: ReturnType<typeof makeTimeHtml>): string {
  const how = c.how === 'start' ? 'loaded at start' : `reloaded (${esc(c.how)})`;
  const inForce = `<p>Config <code>${esc(c.file)}</code> in force since ${time(c.since, '?')}, ${how}.</p>`;
  const r = c.lastRejected;
  if (r === null) return `<section class="config" aria-label="Config">${inForce}</section>\n`;
  const problems = `<ul class="problems">${r.problems.map((p) => `<li><code>${esc(p)}</code></li>`).join('')}</ul>`;
  if (r.at >= c.since) {
    return `<section class="config rejected" aria-label="Config" role="alert">${inForce}
<p><strong>The reload at ${time(r.at, '?')} (${esc(r.reason)}) was rejected</strong>; the config above stays in force. Fix ${r.problems.length === 1 ? 'this' : 'these'} and save again:</p>
${problems}</section>\n`;
  }
  return `<section class="config" aria-label="Config">${inForce}
<details><summary>An earlier reload at ${time(r.at, '?')} (${esc(r.reason)}) was rejected</summary>${problems}</details></section>\n`;
}

/** Outputs, then tags; a kind with none is one quiet line, not a heading over an empty box. */
function feedLists(feeds: IndexPageData['feeds'], base: string): string {
  const outputs = feeds.filter((f) => f.kind === 'output');
  const tags = feeds.filter((f) => f.kind === 'tag');
  if (feeds.length === 0) return '<p class="empty">No outputs or tags are configured yet: add <code>tags:</code> or <code>outputs:</code> to the config.</p>';
  const none = [outputs.length === 0 && 'outputs', tags.length === 0 && 'tags'].filter(Boolean).join(' or ');
  return [feedList('Outputs', outputs, base), feedList('Tags', tags, base), none ? `<p class="empty">No ${none} are configured.</p>` : ''].filter(Boolean).join('\n');
}

function feedList(heading: string, feeds: IndexPageData['feeds'], base: string): string {
  if (feeds.length === 0) return '';
  const items = feeds.map((f) => {
    const links = FORMATS.map((fmt) => `<a href="${esc(`${base}${f.path}.${fmt.ext}`)}" type="${fmt.type}" aria-label="${esc(`${f.title} as ${fmt.label}`)}">${fmt.label}</a>`).join('');
    const held = f.items === null ? '' : f.items === 0 ? '<span class="count zero">empty</span>' : `<span class="count">${count(f.items, 'item')}</span>`;
    return `<li><span class="name">${esc(f.title)}</span>${held}<span class="formats">${links}</span></li>`;
  });
  return `<h3>${heading}</h3>\n<ul class="feeds">\n${items.join('\n')}\n</ul>`;
}
