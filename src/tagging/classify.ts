import { createHash } from 'node:crypto';
import type { Config } from '../config/load.js';
import type { MatchedTag, StoredMatch } from '../store/store.js';
import type { IncomingItem } from '../base/model.js';
import { compileTagger, foldWords } from './index.js';
import type { ScannedText } from './types.js';

/** What classification decides for one item: its tags (with why) and the query-filtered outputs it enters. */
export interface Classification {
  tags: MatchedTag[];
  /** Ids of outputs with a `match` query that this item satisfies. */
  outputs: string[];
}

/** An item as classified: what the feed gave, plus the source it came from. */
export type ClassifiableItem = Pick<IncomingItem, 'title' | 'summary' | 'content' | 'categories' | 'author' | 'link'> & {
  /** The article page's own keywords (full_text sources): tags when the source has publisher_keywords. */
  keywords?: readonly string[];
};

/** A config's tagging compiled once: rules, source-level tags, publisher categories, output queries. */
export interface Classifier {
  /**
   * `scanned`, when given, receives the words of the item's title, summary and content as classifying read them
   * (the story sketch reads the same words: src/stories/sketch.ts); it is not called when no rule reads words.
   */
  classify(item: ClassifiableItem, sourceId: string, scanned?: (words: ScannedText) => void): Classification;
  /** The tags and outputs classify() would give, without the explanations (dry runs: `warta tags test`). */
  decide(item: ClassifiableItem, sourceId: string): { tags: ReadonlySet<string>; outputs: ReadonlySet<string> };
  /** Changes whenever anything here would classify a stored item differently. */
  fingerprint: string;
  /** What it was built from (for building it again on a worker thread). */
  spec: ClassifierSpec;
}

/**
 * The parts of a config that decide tags and output membership: plain data, so a worker thread can be given
 * them to build the same classifier (src/workers/retag-worker.ts).
 */
export interface ClassifierSpec {
  tags: readonly Pick<Config['tags'][number], 'name' | 'match' | 'aliases' | 'stem'>[];
  sources: readonly (Pick<Config['sources'][number], 'id' | 'tags' | 'fromCategories'> & { publisherKeywords?: boolean })[];
  outputs: readonly Pick<Config['outputs'][number], 'id' | 'match'>[];
}

/** The classifier-deciding parts of `config`, copied out of it. */
export function classifierSpec(config: ClassifierSpec): ClassifierSpec {
  return {
    tags: config.tags.map((t) => ({ name: t.name, match: t.match, aliases: [...t.aliases], stem: t.stem })),
    sources: config.sources.map((s) => ({ id: s.id, tags: [...s.tags], fromCategories: s.fromCategories, publisherKeywords: s.publisherKeywords ?? false })),
    outputs: config.outputs.map((o) => ({ id: o.id, match: o.match })),
  };
}

// Output queries are compiled as rules named with this prefix; YAML cannot carry a NUL, so no tag name starts so.
const OUTPUT_RULE = '\u0000output:';

/** Compiles the parts of `config` that decide tags and output membership. */
export function makeClassifier(config: ClassifierSpec): Classifier {
  const tagRules = config.tags.map((t) => ({ name: t.name, match: t.match, aliases: [...t.aliases], stem: t.stem }));
  const outputRules = config.outputs.filter((o) => o.match !== null).map((o) => ({ name: OUTPUT_RULE + o.id, match: o.match! }));
  // Tag rules and output queries in one tagger, so an item's text is extracted and tokenized once for both.
  const everything = compileTagger([...tagRules, ...outputRules]);
  const fold = (s: string) => foldWords(s).join(' ');
  const tagByFoldedName = new Map(config.tags.map((t) => [fold(t.name), t.name]));
  const perSource = new Map(
    config.sources.map((s) => {
      const categories =
        s.fromCategories === 'same-name'
          ? tagByFoldedName
          : s.fromCategories
            ? new Map(Object.entries(s.fromCategories).map(([category, tag]) => [fold(category), tag]))
            : null;
      return [s.id, { tags: s.tags, categories, keywords: s.publisherKeywords ?? false }];
    }),
  );
  // Tags from the source's own list and its publisher categories, with why.
  const sourceTags = (item: ClassifiableItem, sourceId: string, add: (tag: string, why: StoredMatch) => void): void => {
    const source = perSource.get(sourceId);
    for (const tag of source?.tags ?? []) add(tag, { rule: 'sources[].tags', field: 'source', text: sourceId, start: 0, end: sourceId.length });
    // A publisher keyword is a tag of its own, merged with a configured tag of the same name.
    if (source?.keywords) {
      for (const kw of item.keywords ?? []) {
        add(tagByFoldedName.get(fold(kw)) ?? kw, { rule: 'sources[].publisher_keywords', field: 'category', text: kw, start: 0, end: kw.length });
      }
    }
    if (!source?.categories) return;
    for (const category of item.categories) {
      const tag = source.categories.get(fold(category));
      if (tag) add(tag, { rule: 'sources[].from_categories', field: 'category', text: category, start: 0, end: category.length });
    }
  };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([config.tags, config.sources.map((s) => [s.id, s.tags, s.fromCategories, ...(s.publisherKeywords ? [true] : [])]), config.outputs.map((o) => [o.id, o.match])]))
    .digest('hex');

  return {
    fingerprint,
    spec: classifierSpec(config),
    classify(item, sourceId, scanned) {
      const byTag = new Map<string, StoredMatch[]>();
      const add = (tag: string, why: StoredMatch) => {
        const list = byTag.get(tag);
        if (list) list.push(why);
        else byTag.set(tag, [why]);
      };
      const outputs: string[] = [];
      for (const { tag, rule, field, text, start, end } of everything.explain({ ...item, source: sourceId }, scanned)) {
        if (!tag.startsWith(OUTPUT_RULE)) add(tag, { rule, field, text, start, end });
        else if (outputs.at(-1) !== tag.slice(OUTPUT_RULE.length)) outputs.push(tag.slice(OUTPUT_RULE.length)); // one entry per match
      }
      sourceTags(item, sourceId, add);
      return { tags: [...byTag].map(([tag, explain]) => ({ tag, explain })), outputs };
    },
    decide(item, sourceId) {
      const tags = new Set<string>();
      const outputs = new Set<string>();
      for (const name of everything.tag({ ...item, source: sourceId })) {
        if (name.startsWith(OUTPUT_RULE)) outputs.add(name.slice(OUTPUT_RULE.length));
        else tags.add(name);
      }
      sourceTags(item, sourceId, (tag) => tags.add(tag));
      return { tags, outputs };
    },
  };
}
