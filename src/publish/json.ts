/**
 * JSON Feed 1.1 renderer (https://jsonfeed.org/version/1.1), written by hand rather than with the `feed` package,
 * whose json1() writes version 1 (`author`, no `authors`/`language`) and leaves out missing ids.
 * - top level: version, title, home_page_url, feed_url (= the URL served), description, authors, language, items;
 * - item: id (always a string), url, title (only when the item has one: 1.1 makes it optional), content_html —
 *   or content_text "" when nothing is left, since one of the two must be present —, summary as plain text,
 *   date_published / date_modified in RFC 3339, authors, tags, and `_warta.matches` (why each tag applies).
 * Keys are written in a fixed order and strings cleaned of characters no feed should carry, so output is
 * deterministic.
 */
import type { Entry } from './entry.js';
import type { FeedMeta } from './meta.js';
import { rfc3339 } from './dates.js';
import { htmlToText } from './html-tree.js';
import { cleanText } from './text.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

/** Renders a JSON Feed 1.1 document. */
export function renderJsonFeed(meta: FeedMeta, entries: readonly Entry[]): string {
  const doc: Json = {
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    home_page_url: meta.homeUrl,
    feed_url: meta.selfUrls.json,
    description: meta.description === '' ? undefined : meta.description,
    authors: [{ name: meta.title, url: meta.homeUrl }],
    language: meta.language,
    items: entries.map((e) => ({
      id: e.id,
      url: e.link ?? undefined,
      title: e.title === '' ? undefined : e.title,
      content_html: e.html === '' ? undefined : e.html,
      content_text: e.html === '' ? '' : undefined,
      summary: e.summaryHtml === '' ? undefined : htmlToText(e.summaryHtml) || undefined,
      date_published: rfc3339(e.published),
      date_modified: e.updated.getTime() === e.published.getTime() ? undefined : rfc3339(e.updated),
      authors: e.author === null ? undefined : [{ name: e.author.name, url: e.author.url ?? undefined }],
      tags: e.tags.length === 0 ? undefined : e.tags,
      // A JSON Feed extension (keys starting with "_" are for publishers): why warta tagged the item.
      _warta:
        e.matches.length === 0 && e.cluster === null
          ? undefined
          : {
              matches: e.matches.length === 0 ? undefined : e.matches.map((m) => ({ ...m })),
              // The story a collapsed output's entry stands for (issue 13).
              cluster: e.cluster === null ? undefined : {
                id: e.cluster.id,
                size: e.cluster.size,
                members: e.cluster.members.map((m) => ({ source: m.source, title: m.title, url: m.url ?? undefined, published: rfc3339(m.published) })),
              },
            },
    })),
  };
  // JSON.stringify drops undefined members; the replacer cleans every string on the way out.
  return `${JSON.stringify(doc, (_key, value: unknown) => (typeof value === 'string' ? cleanText(value) : value), 2)}\n`;
}
