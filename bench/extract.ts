/**
 * Article extraction speed, one core: warta's readPage (metadata, cleanup, readability, text) against plain
 * @mozilla/readability over linkedom, on the fixture pages of test/fixtures/pages scaled to about 150 KB the way
 * real Indonesian news pages are large: an inline state script and a stylesheet, a mega-menu and sidebar boxes of
 * teasers around the same article. A second round pads with teaser markup only, in containers with no telling
 * names (no script, no style, no nav, no "sidebar"): the worst case for warta, whose first steps cut scripts,
 * styles and named boilerplate out of the text before parsing, so there it pays linkedom's full parse.
 * Medians of pages/s over rounds; no assertions.
 * Run: npx tsx bench/extract.ts [rounds]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { readPage } from '../src/pipeline/page/index.js';

const ROUNDS = Number(process.argv[2] ?? 7);
const DIR = new URL('../test/fixtures/pages/', import.meta.url);
const TARGET = 150 * 1024;

const teaser = (i: number) =>
  `<li class="item"><a href="/berita/${100000 + i}/judul-berita-lain-nomor-${i}"><img src="/thumb/${i}.jpg" alt="">` +
  `<span class="title">Judul berita lain nomor ${i} tentang peristiwa di daerah</span></a><span class="date">${i} jam lalu</span></li>`;

/** The page with padding inserted around the article (and scripts in <head>) until it is ~150 KB. */
function scale(html: string, realistic: boolean): string {
  const scripts = realistic;
  let head = '';
  if (scripts) {
    const state = JSON.stringify({ articles: Array.from({ length: 400 }, (_, i) => ({ id: i, title: `Judul ${i}`, url: `/berita/${i}`, tags: ['a', 'b'] })) });
    head = `<script>window.__STATE__=${state}</script><style>${'.c-x{margin:0 auto;padding:4px 8px;color:#222}'.repeat(400)}</style>`;
  }
  let pad = '';
  for (let i = 0; html.length + head.length + pad.length < TARGET; i++) {
    pad += i % 50 === 0 ? (realistic ? `<div class="sidebar-box"><h3>Terpopuler</h3><ul>` : `<div class="col-md-4"><h3>Berita</h3><ul>`) : '';
    pad += teaser(i);
    pad += i % 50 === 49 ? '</ul></div>' : '';
  }
  pad += '</ul></div>';
  const wrapped = realistic ? `<nav class="mega-menu"><ul>${pad}</ul></nav>` : `<div class="row"><ul>${pad}</ul></div>`;
  return html.replace('</head>', `${head}</head>`).replace('<div class="container">', `${wrapped}<div class="container">`);
}

const names = readdirSync(DIR).filter((f) => f.endsWith('.html'));
const pages = (scripts: boolean) => names.map((f) => ({ url: `https://fixture.example/${f}`, html: scale(readFileSync(new URL(f, DIR), 'utf8'), scripts) }));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function rate(label: string, list: { url: string; html: string }[], run: (p: { url: string; html: string }) => unknown): void {
  for (const p of list) run(p); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (const p of list) run(p);
    rates.push(list.length / ((performance.now() - t) / 1000));
  }
  console.log(`${label.padEnd(52)} ${median(rates).toFixed(1).padStart(7)} pages/s (median of ${ROUNDS})`);
}

for (const scripts of [true, false]) {
  const list = pages(scripts);
  const kb = Math.round(median(list.map((p) => p.html.length)) / 1024);
  console.log(`\n${list.length} pages, median ${kb} KB, padded with ${scripts ? 'script, style, a menu and sidebar boxes' : 'unnamed teaser markup only'}`);
  rate('warta readPage (metadata + cleanup + readability)', list, (p) => readPage(p.html, p.url));
  rate('plain readability over linkedom', list, (p) => new Readability((parseHTML(p.html) as unknown as { document: never }).document).parse());
}

// Hostile pages: how long one readPage takes on each, and the process's RSS after it (one run each).
const hostile: [string, () => string][] = [
  ['100,000 nested <div>', () => `<html><body>${'<div>'.repeat(100_000)}teks${'</div>'.repeat(100_000)}</body></html>`],
  ['100,000 × unclosed <div><span><b>', () => `<html><body>${'<div><span><b>'.repeat(100_000)}teks`],
  ['10 MiB of paragraphs', () => `<html><body><article>${`<p>${'kata '.repeat(40)}</p>\n`.repeat(Math.floor((10 * 1024 * 1024) / 210))}</article></body></html>`],
  ['10 MiB of article links', () => `<html><body><ul>${'<li><a href="/berita/123456/judul-berita-yang-panjang-sekali">judul</a></li>'.repeat(Math.floor((10 * 1024 * 1024) / 78))}</ul></body></html>`],
  ['10 MiB: one endless attribute', () => '<a href="x'.repeat(1024 * 1024)],
  ['10 MiB: an unclosed <script>', () => `<html><body><p>x</p><script>${'var a=1;'.repeat(1.3 * 1024 * 1024)}`],
  ['10 MiB of stray </p>', () => `${'<div>'.repeat(64)}${'</p>'.repeat(2.5 * 1024 * 1024)}`],
];
console.log('\nhostile pages (one readPage each)');
for (const [label, make] of hostile) {
  const html = make();
  const t = performance.now();
  readPage(html, 'https://fixture.example/hostile');
  const ms = performance.now() - t;
  console.log(`${label.padEnd(40)} ${(html.length / 1048576).toFixed(1).padStart(5)} MiB ${Math.round(ms).toString().padStart(6)} ms  rss ${Math.round(process.memoryUsage().rss / 1048576)} MB`);
}
