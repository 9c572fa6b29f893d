/**
 * Whole-article ingest (issue 12): `warta fetch` (the real CLI, a real SQLite file) over a local farm of
 * summary-only feeds whose items link to article pages on the same farm (the fixture pages of
 * test/fixtures/pages, served in turn). The command ends once every page is read, so its wall time covers the
 * feed ingest and every page; peak RSS from /usr/bin/time. A run without full_text over the same farm is the
 * baseline. Medians over runs; no assertions.
 *   npx tsx bench/fulltext.ts [feeds=20] [items=50] [runs=3] [page_concurrency=4]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFarm } from './farm.js';
import { timedFetch } from './lib.js';

const [feeds = 20, items = 50, runs = 3, pageConcurrency = 4] = process.argv.slice(2).map(Number);
const PAGES = new URL('../test/fixtures/pages/', import.meta.url);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// Article pages only (the listing fixtures would read as section pages: no_article).
const articles = readdirSync(PAGES)
  .filter((f) => f.endsWith('.html') && !/indeks|kanal|\.p2\./.test(f))
  .map((f) => readFileSync(new URL(f, PAGES), 'utf8'));

async function fetchOnce(config: string) {
  const r = await timedFetch(config);
  const pages = /pages\tread (\d+)\tfailed (\d+)\tto retry (\d+)/.exec(r.stdout);
  return { secs: r.secs, inserted: r.inserted, read: Number(pages?.[1] ?? 0), failed: Number(pages?.[2] ?? 0) + Number(pages?.[3] ?? 0), rssMb: r.rssMb };
}

const rows: Record<'plain' | 'full', { secs: number[]; rss: number[] }> = { plain: { secs: [], rss: [] }, full: { secs: [], rss: [] } };
for (let run = 0; run < runs; run++) {
  for (const mode of ['plain', 'full'] as const) {
    const farm = await startFarm(feeds, items, articles);
    const dir = mkdtempSync(join(tmpdir(), 'warta-bench-ft-'));
    const config = join(dir, 'w.yaml');
    const fullText = mode === 'full' ? '    full_text: true\n    publisher_keywords: true\n' : '';
    writeFileSync(config, `storage:\n  path: "${join(dir, 'w.db')}"\nfetch:\n  concurrency: 32\n  per_host: 32\n  page_concurrency: ${pageConcurrency}\nsources:\n${farm.urls.map((u, i) => `  - id: f${i}\n    url: "${u}"\n${fullText}`).join('')}tags:\n  - name: "Hubungan Rusia dengan Belarusia"\n    match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)'\n  - name: Banjir\n    match: banjir\n`);
    const r = await fetchOnce(config);
    rows[mode].secs.push(r.secs);
    rows[mode].rss.push(r.rssMb);
    console.log(`run ${run + 1} ${mode.padEnd(5)}: ${r.inserted} items${mode === 'full' ? `, ${r.read} pages read, ${r.failed} failed` : ''} in ${r.secs.toFixed(2)} s` +
      `${mode === 'full' ? ` (${(r.read / r.secs).toFixed(1)} pages/s)` : ''}, peak RSS ${r.rssMb.toFixed(0)} MB`);
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`median over ${runs} (${feeds * items} items, page_concurrency ${pageConcurrency}): without full_text ${median(rows.plain.secs).toFixed(2)} s, peak RSS ${median(rows.plain.rss).toFixed(0)} MB; ` +
  `with full_text ${median(rows.full.secs).toFixed(2)} s (${((feeds * items) / median(rows.full.secs)).toFixed(1)} items with their pages/s), peak RSS ${median(rows.full.rss).toFixed(0)} MB`);
