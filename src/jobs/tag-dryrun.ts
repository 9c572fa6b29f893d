import type { Classifier } from '../tagging/classify.js';
import type { Store } from '../store/store.js';
import type { StoredItem } from '../base/model.js';

/** What the config's rules would do to one tag over the stored items. */
export interface TagTestReport {
  tag: string;
  /** Items the rules match now. */
  matched: number;
  /** Items that would gain the tag (matched now, not stored with it). */
  gained: number;
  /** Items that would lose it. */
  lost: number;
  examples: { gained: { id: number; title: string }[]; lost: { id: number; title: string }[] };
}

const EXAMPLES = 3;
const PAGE = 1000;

/**
 * Evaluates the rules against stored items without writing anything, comparing with the tags stored.
 * `tags` limits the report to those tags; `since` to items published since then.
 */
export async function testTags(store: Store, classifier: Classifier, allTags: readonly string[], opts: { tags?: readonly string[]; since?: Date | null }): Promise<TagTestReport[]> {
  const wanted = opts.tags?.length ? opts.tags : allTags;
  const reports = new Map(wanted.map((tag) => [tag, { tag, matched: 0, gained: 0, lost: 0, examples: { gained: [], lost: [] } } as TagTestReport]));
  let before: { published: string; id: number } | null = null;
  for (;;) {
    const page: StoredItem[] = await store.items.browse({ tag: null, source: null, since: opts.since ?? null, before, limit: PAGE });
    for (const item of page) {
      const now = classifier.decide(item, item.sourceId).tags;
      const stored = new Set(item.tags);
      for (const r of reports.values()) {
        const has = now.has(r.tag);
        if (has) r.matched++;
        if (has && !stored.has(r.tag)) {
          r.gained++;
          if (r.examples.gained.length < EXAMPLES) r.examples.gained.push({ id: item.id, title: item.title });
        } else if (!has && stored.has(r.tag)) {
          r.lost++;
          if (r.examples.lost.length < EXAMPLES) r.examples.lost.push({ id: item.id, title: item.title });
        }
      }
    }
    if (page.length < PAGE) break;
    const last = page.at(-1)!;
    before = { published: last.published.toISOString(), id: last.id };
  }
  return [...reports.values()];
}

/** A terminal report of testTags. */
export function formatTagTest(reports: readonly TagTestReport[]): string {
  const width = Math.max(3, ...reports.map((r) => r.tag.length));
  const lines = [`${'TAG'.padEnd(width)}  MATCHED  GAINED  LOST`];
  for (const r of reports) {
    lines.push(`${r.tag.padEnd(width)}  ${String(r.matched).padStart(7)}  ${`+${r.gained}`.padStart(6)}  ${`-${r.lost}`.padStart(4)}`);
    for (const e of r.examples.gained) lines.push(`  + ${e.id}\t${e.title}`);
    for (const e of r.examples.lost) lines.push(`  - ${e.id}\t${e.title}`);
  }
  return lines.join('\n');
}

/** `warta tags explain`: the stored tags of an item and what the config's rules say now, with reasons. */
export function explainItem(item: StoredItem, classifier: Classifier): string {
  const lines = [`item ${item.id}  ${item.uid}`, `source   ${item.sourceId}`, `title    ${item.title}`, `link     ${item.link ?? '-'}`, ''];
  lines.push('stored tags:');
  if (item.tags.length === 0) lines.push('  (none)');
  for (const tag of item.tags) {
    lines.push(`  ${tag}`);
    for (const m of (item.matches ?? []).filter((x) => x.tag === tag)) lines.push(`    ${m.field}[${m.start}..${m.end}] "${m.text}"  ← ${m.rule}`);
  }
  const now = classifier.classify(item, item.sourceId).tags;
  lines.push('', 'with the current config:');
  if (now.length === 0) lines.push('  (no tag)');
  for (const t of now) {
    const change = item.tags.includes(t.tag) ? '' : '  (would be added)';
    lines.push(`  ${t.tag}${change}`);
    for (const m of t.explain as { field: string; start: number; end: number; text: string; rule: string }[]) lines.push(`    ${m.field}[${m.start}..${m.end}] "${m.text}"  ← ${m.rule}`);
  }
  for (const tag of item.tags) if (!now.some((t) => t.tag === tag)) lines.push(`  ${tag}  (would be removed)`);
  return lines.join('\n');
}
