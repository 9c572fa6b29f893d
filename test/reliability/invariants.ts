/**
 * What "nothing lost, nothing half-written" means for a store fed by the ledger farm, checked two ways: in the
 * database file (after a kill, by a read-only connection) and in what the daemon's outputs served meanwhile.
 *
 * One refresh is one transaction and a ledger feed only grows, so after any committed refresh the items stored
 * for feed f are exactly 0 … c-1 for a count c the feed really had. A torn refresh would show as a gap, a count
 * the feed never had, or an item without its tags. Re-tagging is one transaction per batch: each item carries
 * either its old tags or its new ones, never a mix, and the rules' fingerprint is recorded only after the last batch.
 */
import type Database from 'better-sqlite3';
import { keywordsOf, parseFarmLink, type LedgerFarm } from './ledger-farm.js';
import { bounded, get, openReadOnly } from './lib.js';

/** A rule set: the tags item i of any farm feed must carry. */
export type Rules = (index: number) => string[];

/** Config A: "Putin" matches Putin. Config B: the "Putin" tag's rule is changed to match Lukashenko. */
export const RULES_A: Rules = (i) => ['farm', ...keywordsOf(i).filter((w) => w !== 'Lukashenko')].sort();
export const RULES_B: Rules = (i) => ['farm', ...(keywordsOf(i).includes('Lukashenko') ? ['Putin'] : []), ...(keywordsOf(i).includes('Minsk') ? ['Minsk'] : [])].sort();

/** The tag rules of config A and B, as config entries. */
export function tagRules(which: 'A' | 'B') {
  return [
    { name: 'farm', match: 'zzzfarmonly' },
    { name: 'Putin', match: which === 'A' ? 'Putin' : 'Lukashenko' },
    { name: 'Minsk', match: 'Minsk' },
  ];
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, k) => x === b[k]);

/** What a read-only look at the database found. */
export interface StoreReport {
  problems: string[];
  items: number;
  duplicates: number;
  fingerprint: string | null;
  /** Items whose tags follow each rule set (an item may follow both). */
  followA: number;
  followB: number;
  /** Items where the two rule sets differ, and how many of those follow B. */
  differing: number;
  differingOnB: number;
  /** Items that share their story with another item (the story checks above have something to check). */
  inStories: number;
}

/**
 * Checks the store against the farm. `allowed` lists the rule sets an item's tags may follow; `exact` (the
 * final check) requires every feed's current count; `mustHold` gives, per feed, an index seen in an output
 * before a kill (committed, so it must have survived).
 */
export function checkStore(path: string, farm: LedgerFarm, feeds: number, allowed: Rules[], opts: { exact?: boolean; mustHold?: ReadonlyMap<number, number>; db?: Database.Database } = {}): StoreReport {
  const db = opts.db ?? openReadOnly(path);
  const problems: string[] = [];
  try {
    const check = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (check.join() !== 'ok') problems.push(`integrity_check: ${check.slice(0, 3).join('; ')}`);
    const dups = db.prepare('SELECT source_id, guid, count(*) AS n FROM items GROUP BY source_id, guid HAVING n > 1').all() as { source_id: string; guid: string; n: number }[];
    for (const d of dups.slice(0, 5)) problems.push(`${d.source_id} ${d.guid} stored ${d.n} times`);
    // Stories (issue 13): every item has a story, and no story reaches past the window (72 h, the default) from
    // its first member, whatever moment the kill hit.
    const unclustered = (db.prepare('SELECT count(*) AS n FROM items WHERE cluster_id IS NULL').get() as { n: number }).n;
    if (unclustered > 0) problems.push(`${unclustered} items without a story (cluster_id NULL)`);
    // A takeover (an outlet's item after an aggregator's relay) is all or nothing: every appearance names an
    // article (never another appearance) in the article's story.
    const halfway = (db.prepare('SELECT count(*) AS n FROM items a JOIN items t ON t.id = a.appearance_of WHERE t.appearance_of IS NOT NULL OR t.cluster_id <> a.cluster_id').get() as { n: number }).n;
    if (halfway > 0) problems.push(`${halfway} appearances naming another appearance or another story (a half-done takeover)`);
    const wide = db
      .prepare(`SELECT cluster_id AS id, min(published) AS first, max(published) AS last, count(*) AS n FROM items GROUP BY cluster_id HAVING n > 1 AND julianday(last) - julianday(first) > 3.0`)
      .all() as { id: number; first: string; last: string; n: number }[];
    for (const w of wide.slice(0, 5)) problems.push(`story ${w.id} (${w.n} items) spans ${w.first} … ${w.last}, beyond the 72 h window`);
    const rows = db
      .prepare(`SELECT i.source_id AS source, i.link AS link, coalesce((SELECT group_concat(tag, '|') FROM (SELECT tag FROM item_tags t WHERE t.item_id = i.id ORDER BY tag)), '') AS tags FROM items i`)
      .all() as { source: string; link: string; tags: string }[];
    const indices = new Map<number, Set<number>>();
    const inStories = (db.prepare('SELECT count(*) AS n FROM items WHERE cluster_id IN (SELECT cluster_id FROM items GROUP BY cluster_id HAVING count(*) > 1)').get() as { n: number }).n;
    const r: StoreReport = { problems, items: rows.length, duplicates: dups.length, fingerprint: null, followA: 0, followB: 0, differing: 0, differingOnB: 0, inStories };
    for (const row of rows) {
      const at = parseFarmLink(row.link);
      if (!at || row.source !== `f${at.feed}`) {
        problems.push(`item of ${row.source} with a link the farm never published: ${row.link}`);
        continue;
      }
      let set = indices.get(at.feed);
      if (!set) indices.set(at.feed, (set = new Set()));
      set.add(at.index);
      const tags = row.tags === '' ? [] : row.tags.split('|');
      const a = same(tags, RULES_A(at.index));
      const b = same(tags, RULES_B(at.index));
      if (a) r.followA++;
      if (b) r.followB++;
      if (!same(RULES_A(at.index), RULES_B(at.index))) {
        r.differing++;
        if (b) r.differingOnB++;
      }
      if (!allowed.some((rules) => same(tags, rules(at.index)))) {
        if (problems.length < 20) problems.push(`f${at.feed} item ${at.index} has tags [${tags}] (expected ${allowed.map((x) => `[${x(at.index)}]`).join(' or ')})`);
      }
    }
    for (let f = 0; f < feeds; f++) {
      const set = indices.get(f) ?? new Set<number>();
      const c = set.size;
      const max = c === 0 ? -1 : Math.max(...set);
      if (max !== c - 1) problems.push(`f${f}: ${c} items stored but the newest is #${max}: a gap (a torn refresh)`);
      const counts = [0, ...farm.history(f)];
      if (!counts.includes(c)) problems.push(`f${f}: ${c} items stored, a count the feed never had (${counts.slice(-5).join(',')})`);
      if (opts.exact && c !== farm.count(f)) problems.push(`f${f}: ${c} items stored, the farm published ${farm.count(f)} (${farm.count(f) - c} lost)`);
      const held = opts.mustHold?.get(f);
      if (held !== undefined && !set.has(held)) problems.push(`f${f}: item #${held} was served before the kill but is gone after it`);
    }
    r.fingerprint = (db.prepare("SELECT value FROM meta WHERE key = 'rules_fingerprint'").pluck().get() as string | undefined) ?? null;
    return r;
  } finally {
    if (!opts.db) db.close();
  }
}

/** Tallies of what the output watcher read. */
export interface WatchReport {
  responses: number;
  itemsChecked: number;
  violations: string[];
  /** Per feed, the newest index any response showed (committed data). */
  seen: Map<number, number>;
}

/**
 * Reads JSON Feed outputs in a loop until stopped and checks every response: the items of each source form a
 * contiguous newest-first run whose top is a count the feed had; with `complete` (an output listing a whole
 * source, under its limit) the run reaches item 0; every item's tags follow one of the allowed rule sets. A
 * `filtered` output (a tag's feed) selects some items only: just the tags are checked.
 */
export function watchOutputs(base: string, paths: { path: string; complete: boolean; limit: number; filtered?: boolean }[], farm: LedgerFarm, allowed: () => Rules[]) {
  const report: WatchReport = { responses: 0, itemsChecked: 0, violations: [], seen: new Map() };
  let running = true;
  const violate = (s: string) => {
    if (report.violations.length < 50) report.violations.push(s);
  };
  // What the loop awaits now and since when, for the failure of a stop() that waited too long.
  let step = { what: 'nothing yet', since: Date.now() };
  const loop = (async () => {
    for (let k = 0; running; k++) {
      const p = paths[k % paths.length]!;
      step = { what: `GET ${p.path}`, since: Date.now() };
      const res = await get(`${base}${p.path}`, 5000);
      step = { what: `checking the answer to GET ${p.path} (HTTP ${res.status})`, since: Date.now() };
      if (res.status === 0) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (res.status !== 200) {
        violate(`${p.path}: HTTP ${res.status}`);
        continue;
      }
      let doc: { items: { url?: string; tags?: string[] }[] };
      try {
        doc = JSON.parse(res.body) as typeof doc;
      } catch {
        violate(`${p.path}: unparseable JSON (${res.body.length} bytes)`);
        continue;
      }
      report.responses++;
      const runs = new Map<number, number[]>();
      for (const it of doc.items) {
        report.itemsChecked++;
        const at = parseFarmLink(it.url);
        if (!at) {
          violate(`${p.path}: an item the farm never published: ${it.url}`);
          continue;
        }
        const tags = [...(it.tags ?? [])].sort();
        if (!allowed().some((rules) => same(tags, rules(at.index)))) violate(`${p.path}: f${at.feed} #${at.index} served with tags [${tags}]`);
        const run = runs.get(at.feed);
        if (run) run.push(at.index);
        else runs.set(at.feed, [at.index]);
      }
      const whole = p.complete || doc.items.length < p.limit;
      for (const [f, run] of p.filtered ? [] : runs) {
        const top = run[0]!;
        report.seen.set(f, Math.max(report.seen.get(f) ?? -1, top));
        if (!run.every((x, j) => x === top - j)) violate(`${p.path}: f${f} served out of sequence: ${run.slice(0, 12).join(',')}…`);
        if (!farm.history(f).includes(top + 1)) violate(`${p.path}: f${f} served ${top + 1} items, a count it never had`);
        if (whole && run.at(-1) !== 0) violate(`${p.path}: f${f} served #${top}…#${run.at(-1)} without the older items`);
      }
    }
  })();
  return {
    report,
    async stop(): Promise<WatchReport> {
      running = false;
      // The request under way has its own 5 s deadline; this bound is for everything else the loop awaits.
      await bounded(() => `the output watcher of ${base} to finish its last request (it was at: ${step.what}, for ${Date.now() - step.since} ms)`, 20_000, loop);
      return report;
    },
  };
}
