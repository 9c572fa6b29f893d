/**
 * Turns stored items into format-neutral entries: every field cleaned, sanitized and checked once, so the three
 * renderers only lay them out.
 */
import type { StoredItem, TagExplanation } from '../base/model.js';
import { plausibleDate } from './dates.js';
import { htmlToText } from './html-tree.js';
import { sanitizeHtml } from './sanitize.js';
import type { Sanitize } from './sanitize-cache.js';
import { excerpt, oneLine, personName } from './text.js';
import { publishableUrl } from './url.js';
import { escapeAttr, escapeText } from './xml.js';

/** What the renderers know about an item's source. */
export interface SourceInfo {
  id: string;
  title: string | null;
  siteUrl: string | null;
  /**
   * The source's feed URL. Optional: when given (with a title), RSS items get `<source url>`, which the
   * validator requires to be a feed URL (feedvalidator item.py source).
   */
  feedUrl?: string | null;
}

/** An item ready to be laid out in any format. */
export interface Entry {
  /** The item's uid (urn:uuid:…): RSS guid, Atom id, JSON Feed id. */
  id: string;
  /** Cleaned title; '' when the item has none. */
  title: string;
  /** The title, or a stand-in for formats that need one (Atom): an excerpt of the text, the link, 'Untitled'. */
  displayTitle: string;
  link: string | null;
  published: Date;
  updated: Date;
  author: { name: string; url: string | null } | null;
  /** Cleaned, non-blank, de-duplicated, sorted (the store's order may vary; the bytes must not). */
  tags: string[];
  /** Sanitized content ?? summary; '' when nothing is left. */
  html: string;
  /** Sanitized summary, only when the item also has (different) content; else ''. */
  summaryHtml: string;
  source: { title: string; feedUrl: string } | null;
  /** Why the item carries its tags (JSON Feed's _warta extension), when known. */
  matches: TagExplanation[];
  /** The story a collapsed output's entry stands for (JSON Feed's _warta.cluster), links publishable. */
  cluster: { id: string; size: number; members: { source: string; title: string; url: string | null; published: Date }[] } | null;
}

/**
 * Prepares items in the given order. Items repeating an earlier uid are dropped: a repeated guid / Atom id is an
 * error for the validator (item.py unique('guid'), entry.py DuplicateEntries). Dates outside 1990…`latest` are
 * replaced by the first-seen time (or clamped), see dates.ts plausibleDate.
 */
export function prepareEntries(
  items: readonly StoredItem[],
  sources: ReadonlyMap<string, SourceInfo>,
  latest: Date,
  sanitize: Sanitize = sanitizeHtml,
): Entry[] {
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const item of items) {
    const id = oneLine(item.uid);
    if (id === '' || seen.has(id)) continue;
    seen.add(id);
    entries.push(prepareEntry(item, id, sources.get(item.sourceId), latest, sanitize, sources));
  }
  return entries;
}

function prepareEntry(item: StoredItem, id: string, source: SourceInfo | undefined, latest: Date, sanitize: Sanitize, sources: ReadonlyMap<string, SourceInfo>): Entry {
  const link = item.link === null ? null : publishableUrl(item.link, null);
  const content = item.content === null ? '' : sanitize(item.content, link);
  const summary = item.summary === null ? '' : sanitize(item.summary, link);
  const cluster = item.story ? clusterOf(item.story, sources) : null;
  const html = (content || summary) + (cluster ? otherOutlets(cluster) : '');
  const summaryHtml = content !== '' && summary !== '' && summary !== content ? summary : '';

  const title = oneLine(item.title);
  const text = title !== '' || html === '' ? '' : htmlToText(html);
  const displayTitle = title || (text && excerpt(text, 80)) || link || 'Untitled';

  const fallback = plausibleDate(item.firstSeen, latest) ? item.firstSeen : latest;
  const published = plausibleDate(item.published, latest) ? item.published : fallback;
  const updated =
    plausibleDate(item.updated, latest) && item.updated.getTime() >= published.getTime() ? item.updated : published;

  const sourceTitle = source?.title == null ? '' : oneLine(source.title);
  const siteUrl = source?.siteUrl == null ? null : publishableUrl(source.siteUrl, null);
  const authorName = personName(item.author);
  const author = authorName
    ? { name: authorName, url: null }
    : sourceTitle
      ? { name: sourceTitle, url: siteUrl }
      : null;

  const feedUrl = source?.feedUrl == null ? null : publishableUrl(source.feedUrl, null);
  const tags = [...new Set(item.tags.map(oneLine).filter((t) => t !== ''))].sort();

  return {
    id,
    title,
    displayTitle,
    link,
    published,
    updated,
    author,
    tags,
    html,
    summaryHtml,
    source: sourceTitle && feedUrl ? { title: sourceTitle, feedUrl } : null,
    matches: item.matches ?? [],
    cluster,
  };
}

/** A story's members with publishable links and titles, the source shown by its title. */
function clusterOf(story: NonNullable<StoredItem['story']>, sources: ReadonlyMap<string, SourceInfo>): Entry['cluster'] {
  return {
    id: oneLine(story.id),
    size: story.size,
    members: story.members.map((m) => ({
      source: oneLine(sources.get(m.source)?.title ?? m.source) || m.source,
      title: oneLine(m.title),
      url: m.url === null ? null : publishableUrl(m.url, null),
      published: m.published,
    })),
  };
}

/** The other outlets of a story (every member but the first, the representative), as HTML at the end of the content. */
function otherOutlets(cluster: NonNullable<Entry['cluster']>): string {
  const others = cluster.members.slice(1);
  if (others.length === 0) return '';
  const li = others.map((m) => {
    const title = escapeText(m.title || m.url || m.source);
    const linked = m.url === null ? title : `<a href="${escapeAttr(m.url)}">${title}</a>`;
    return `<li>${linked} (${escapeText(m.source)})</li>`;
  });
  return `<p>Juga diberitakan oleh:</p><ul>${li.join('')}</ul>`;
}
