/**
 * Plain data that flows between the pipeline stages. No behaviour here: every stage takes and returns these.
 */

/** One feed document after decode → parse → normalize, ready for dedupe. */
export interface IngestedFeed {
  /** Which syntax the document was, e.g. 'rss2', 'rss1', 'rss09', 'atom10', 'atom03', 'json10', 'json11'. */
  format: string;
  /** Which parser produced it: 'rss-parser', or the fallback's name when rss-parser failed. */
  parser: string;
  title: string | null;
  /** The site's home page (channel link), absolute. */
  siteUrl: string | null;
  /** Polling hints a later stage may honour (RSS <ttl> in minutes …). */
  ttlMinutes: number | null;
  /** sy:updatePeriod / sy:updateFrequency as one interval in minutes. */
  updatePeriodMinutes?: number | null;
  /** RSS <skipHours>: hours (0–23, GMT) in which the feed asks not to be polled. */
  skipHours?: number[];
  /** RSS <skipDays>: day names (Monday … Sunday) on which the feed asks not to be polled. */
  skipDays?: string[];
  items: IncomingItem[];
}

/** What a feed says about an entry, as warta keeps it (incoming and stored alike). */
export interface ItemFields {
  /** guid / Atom id / JSON Feed id exactly as published (trimmed), or null when absent. */
  guid: string | null;
  /** The article's URL, absolute, or null. */
  link: string | null;
  /** Plain text (entities decoded, markup removed); '' when the feed gave none. */
  title: string;
  /** HTML as published (description / Atom summary), or null. */
  summary: string | null;
  /** HTML as published (content:encoded / Atom content / content_html), or null. */
  content: string | null;
  author: string | null;
  /** The item's own categories (RSS category, Atom category term or label, dc:subject). */
  categories: string[];
}

/** One entry of a feed, normalized: absolute URLs, trimmed text, instants in UTC. */
export interface IncomingItem extends ItemFields {
  /** Publication instant, or null when absent or unreadable (the store substitutes first-seen time). */
  published: Date | null;
  updated: Date | null;
  /** The page's rel=canonical / og:url, when the article's page was read (issue 12). */
  canonicalUrl?: string | null;
  /** A date in the feed was dropped as lying in the future: the same text will read differently later. */
  datedAhead?: true;
  /**
   * Its story sketch, made where the feed was read (a parser thread: pipeline/feed/ingest-pool.ts) so the main
   * thread does not make it: sketchOf of its title, summary and content, and that encoded. Absent: made at the plan.
   */
  sketched?: SketchedText;
  /**
   * Its tags and outputs, classified where the feed was read for `sourceId` by the rules whose fingerprint this is
   * (Classifier.fingerprint): the refresh takes them when those rules are still in force, else classifies again.
   */
  classified?: { fingerprint: string; sourceId: string; tags: { tag: string; explain: Omit<TagExplanation, 'tag'>[] | string }[]; outputs: string[] };
  /**
   * hashContent of it, made where the feed was read (a parser thread), so the main thread does not hash it again:
   * dedupe's assignKeys takes it. Absent: hashed there.
   */
  contentHash?: string;
}

/** A compact summary of an item's text for finding and confirming the same story. Serializable as JSON. */
export interface StorySketch {
  /** Format version of this sketch (a changed sketch algorithm bumps it; old sketches are rebuilt). */
  v: number;
  /** Distinctive folded terms (stop words removed), sorted, deduplicated: what candidates are found by. */
  terms: string[];
  /** MinHash-style signature over the text's shingles (similarity estimate); may be empty for tiny texts. */
  sig: number[];
  /** Proper names seen (folded), e.g. "putin", "lukashenko", "persib", "jakarta". */
  names: string[];
  /** Numbers and amounts seen, normalized ("3-1" scores, "15.000", "2024", "rp 12.500"). */
  numbers: string[];
}

/** An item's story sketch (src/stories/sketch.ts) and its stored encoding. */
export interface SketchedText {
  sketch: StorySketch;
  encoded: string;
  /**
   * The canonical URL of the item's link (src/stories/ canonicalUrl), made with it under the tracking parameters
   * `params` (stories.ignore_params joined by newlines): the plan takes it while those are still the config's.
   */
  canonical?: { url: string | null; params: string };
}

/** The text of an item that tag rules search. HTML fields are HTML; the matcher strips markup itself. */
export interface TaggableItem {
  title: string;
  summary: string | null;
  content: string | null;
  categories: string[];
}

/** One item as stored and as read back for publishing. */
export interface StoredItem extends ItemFields {
  id: number;
  /** Stable public id (urn:uuid:…), unique across sources; used as guid / Atom id / JSON Feed id. */
  uid: string;
  sourceId: string;
  /** Never null once stored: a missing date became the first-seen time. */
  published: Date;
  updated: Date;
  firstSeen: Date;
  tags: string[];
  /** The story it belongs to: the id of the item that started it (its own id when alone). */
  clusterId?: number;
  /** Its canonical URL (rel=canonical, or the link without tracking parameters); null until computed. */
  canonicalUrl?: string | null;
  /** The article this row relays (another source's item under the same canonical URL); null for an article. */
  appearanceOf?: number | null;
  /** Why each tag applies (field, matched text, offsets), when the reader asked for it. */
  matches?: TagExplanation[];
  /** The story this item represents in a collapsed output (publish/collapse.ts). */
  story?: { id: string; size: number; members: { source: string; title: string; url: string | null; published: Date }[] };
  /** The article page's fate (full_text sources), when the API read it; absent when none was asked for. */
  page?: { state: 'pending' | 'done' | 'failed'; error: { code: string; message: string } | null };
}

/** One reason a tag applies to an item, as stored with it. */
export interface TagExplanation {
  tag: string;
  /** The query or alias that matched, or 'sources[].tags' / 'sources[].from_categories'. */
  rule: string;
  field: string;
  text: string;
  /** UTF-16 offsets into the field's plain text. */
  start: number;
  end: number;
}
