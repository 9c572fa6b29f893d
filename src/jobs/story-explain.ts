/**
 * `warta stories explain ITEM`: an item's story and, for each other member, how its text compares with the
 * item's — the similarity, and the names and numbers they share and differ in — under the config's threshold.
 * Sketches are built again from the stored text, so the explanation follows the current algorithm.
 */
import type { StoredItem } from '../base/model.js';
import { formatLocalTime } from '../base/zoned-time.js';
import { compareSketches, sketchOf, type StoryComparison } from '../stories/index.js';

/** One member of the item's story, compared with the item. */
export interface MemberExplanation {
  item: StoredItem;
  comparison: StoryComparison | null;
}

/** Compares `item` with each member of its story (the item itself gets no comparison). */
export function explainStory(item: StoredItem, members: readonly StoredItem[], threshold: number): MemberExplanation[] {
  const own = sketchOf(item);
  return members.map((m) => ({ item: m, comparison: m.id === item.id ? null : compareSketches(own, sketchOf(m), threshold) }));
}

const list = (xs: readonly string[]) => (xs.length === 0 ? '–' : xs.join(', '));

/** The explanation as the CLI prints it; times in `timeZone`. */
export function formatStoryExplanation(item: StoredItem, members: readonly MemberExplanation[], o: { threshold: number; windowMs: number; timeZone: string }): string {
  const cluster = item.clusterId ?? item.id;
  const lines = [
    `item ${item.id} ${item.uid} (${item.sourceId}): ${item.title}`,
    `story ${cluster}: ${members.length} ${members.length === 1 ? 'member' : 'members'} (threshold ${o.threshold}, window ${Math.round(o.windowMs / 3_600_000)}h)`,
  ];
  if (item.canonicalUrl) lines.push(`canonical URL: ${item.canonicalUrl}`);
  for (const { item: m, comparison: c } of members) {
    const mark = m.id === item.id ? '*' : ' ';
    lines.push('', `${mark} ${m.id} ${m.sourceId}  ${formatLocalTime(m.published, o.timeZone)}  ${m.title}`);
    if (m.link) lines.push(`    ${m.link}`);
    if (c === null) {
      lines.push(m.id === cluster ? '    this item (it started the story)' : '    this item');
      continue;
    }
    const verdict = c.same ? 'the same story by the current threshold' : 'NOT the same story by the current threshold (joined under an earlier one, or through another member)';
    lines.push(`    similarity ${c.similarity.toFixed(3)}: ${verdict}`);
    lines.push(`    names shared: ${list(c.sharedNames)}; differing: ${list(c.differingNames)}`);
    lines.push(`    numbers shared: ${list(c.sharedNumbers)}; differing: ${list(c.differingNumbers)}`);
  }
  return lines.join('\n');
}
