/**
 * Tags made of publishers' own keywords (sources with `publisher_keywords: true`, issue 12). They are not in the
 * config, so they are found in the store: every stored tag name that no configured tag, source `tags:` list or
 * `from_categories` map names. Each has a feed at /tags/{slug}.* like a configured tag, but stays off /opml and
 * the index page (the catalogue stays the admin's); /api/tags lists both kinds.
 */
import type { Config } from '../config/load.js';
import type { Store } from '../store/store.js';
import { slugify } from '../tagging/index.js';

/** A tag as /api/tags lists it. */
export interface TagListing {
  name: string;
  slug: string;
  items: number;
  kind: 'configured' | 'publisher';
}

/** The publisher tags of `config` over `store`; counts are read once per change of the store. */
export function makePublisherTags(store: Store, config: Config) {
  const configured = new Set(config.tags.map((t) => t.name));
  const named = new Set(config.sources.flatMap((s) => [...s.tags, ...(s.fromCategories && s.fromCategories !== 'same-name' ? Object.values(s.fromCategories) : [])]));
  const enabled = config.sources.some((s) => s.publisherKeywords);
  let cached: { version: string; counts: Map<string, number> } | null = null;

  async function counts(): Promise<Map<string, number>> {
    const version = store.changeToken();
    if (cached?.version !== version) cached = { version, counts: await store.items.countsByTag() };
    return cached.counts;
  }
  const isPublisher = (name: string) => enabled && !configured.has(name) && !named.has(name);

  return {
    /** The publisher tag whose slug is `slug`, or null (also when no source has publisher_keywords). */
    async bySlug(slug: string): Promise<string | null> {
      if (!enabled) return null;
      for (const name of (await counts()).keys()) if (isPublisher(name) && slugify(name) === slug) return name;
      return null;
    },
    /** Configured tags (in config order), then publisher tags by name. */
    async list(): Promise<TagListing[]> {
      const c = await counts();
      const listing: TagListing[] = config.tags.map((t) => ({ name: t.name, slug: t.slug, items: c.get(t.name) ?? 0, kind: 'configured' }));
      const publisher = [...c.keys()].filter(isPublisher).sort();
      for (const name of publisher) listing.push({ name, slug: slugify(name), items: c.get(name)!, kind: 'publisher' });
      return listing;
    },
  };
}
