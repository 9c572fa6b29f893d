/**
 * Collapsed outputs (issue 13): one entry per story. The representative is the member from the source with the
 * highest `sources[].priority`, the earliest among equals: its title, link and content are the entry's. The
 * entry's id (RSS guid, Atom id, JSON Feed id) is the uid of the story's first stored member the feed shows
 * (the lowest item id), so a later member — even one from a higher-priority source that becomes the
 * representative — changes the entry (its text, update time, the list of other outlets, the ETag), never adds
 * one: a reader's client updates the entry it has. A member that took over a relay stored before it (an
 * aggregator polled before the outlet) counts as stored when the relay was, with the relay's uid (keepEntry). Members from sources the feed may not show (private ones,
 * sources outside the output's `sources`) are left out of the story.
 */
import type { StoredItem } from '../base/model.js';
import type { FirstStored, Store } from '../store/store.js';

/** One member of a story as a collapsed entry lists it. */
export interface StoryMemberNote {
  source: string;
  title: string;
  url: string | null;
  published: Date;
}

/** The story a collapsed entry stands for: its id, size and members (the representative first). */
export interface StoryNote {
  id: string;
  size: number;
  members: StoryMemberNote[];
}

/** A representative with its story. */
export type CollapsedItem = StoredItem & { story: StoryNote };

/** What decides which members a collapsed feed may show, and which one represents a story. */
export interface CollapseOptions {
  limit: number;
  /** Only members of these sources (empty: any). */
  sources: readonly string[];
  excludeSources: readonly string[];
  priority: (sourceId: string) => number;
  /** The link as published (tracking parameters removed). */
  link: (link: string) => string;
}

/** Stories in the order their newest selected member comes in `items` (newest first), at most `limit`. */
export async function collapseStories(store: Store, items: readonly StoredItem[], o: CollapseOptions): Promise<CollapsedItem[]> {
  const order: number[] = [];
  for (const i of items) {
    const c = i.clusterId ?? i.id;
    if (!order.includes(c)) order.push(c);
    if (order.length === o.limit) break;
  }
  const stories = await store.stories.clusters(order);
  const firsts = await store.stories.firstStored([...new Set([...items, ...[...stories.values()].flat()].map((m) => m.id))]);
  const shown = (m: StoredItem) => !o.excludeSources.includes(m.sourceId) && (o.sources.length === 0 || o.sources.includes(m.sourceId));
  const out: CollapsedItem[] = [];
  for (const clusterId of order) {
    const selected = items.filter((i) => (i.clusterId ?? i.id) === clusterId);
    // Members the feed may show; the selected items always (an appearance's article is selected for its relay).
    const members = (stories.get(clusterId) ?? []).filter(shown);
    for (const s of selected) if (!members.some((m) => m.id === s.id)) members.push(s);
    const rep = representative(members, o.priority);
    const others = members.filter((m) => m !== rep).sort((a, b) => a.published.getTime() - b.published.getTime() || a.id - b.id);
    // The entry changes when a member arrives: its update time is the latest a member was seen or changed.
    const updated = new Date(Math.max(...members.map((m) => Math.max(m.updated.getTime(), m.firstSeen.getTime()))));
    const note = (m: StoredItem): StoryMemberNote => ({ source: m.sourceId, title: m.title, url: m.link === null ? null : o.link(m.link), published: m.published });
    const firstId = (m: StoredItem) => firsts.get(m.id)?.id ?? m.id;
    const first = members.reduce((a, b) => (firstId(b) < firstId(a) ? b : a));
    out.push({ ...rep, uid: firsts.get(first.id)?.uid ?? first.uid, updated, story: { id: String(clusterId), size: members.length, members: [rep, ...others].map(note) } });
  }
  return out;
}

/**
 * An article as its entry is published: one that took over a relay stored before it (an aggregator polled before
 * the outlet) keeps the entry id readers already have, the relay's uid, and is dated when it took over, so a
 * reader's client updates that entry (the outlet's title, link and text) instead of adding a second one.
 */
export function keepEntry(item: StoredItem, first: FirstStored | undefined): StoredItem {
  if (first === undefined) return item;
  return { ...item, uid: first.uid, updated: new Date(Math.max(item.updated.getTime(), item.firstSeen.getTime())) };
}

/** The member from the source with the highest priority; among equals the earliest (then the lowest id). */
function representative(members: readonly StoredItem[], priority: (sourceId: string) => number): StoredItem {
  let best = members[0]!;
  for (const m of members.slice(1)) {
    const d = priority(m.sourceId) - priority(best.sourceId);
    if (d > 0 || (d === 0 && (m.published.getTime() < best.published.getTime() || (m.published.getTime() === best.published.getTime() && m.id < best.id)))) best = m;
  }
  return best;
}
