import { Parser as HtmlParser } from 'htmlparser2';
import type { IncomingItem, IngestedFeed } from '../../base/model.js';
import { parseDate } from './dates.js';
import type { ParsedFeed, ParsedItem, RawLink, RawText } from './parse.js';

/** How far ahead of our clock a date may be before we call it wrong (clock skew between servers). */
const FUTURE_SKEW_MS = 10 * 60_000;

/**
 * Parsed feed → the model: absolute http(s) URLs, trimmed text, plain-text titles, HTML summaries and content,
 * instants in UTC. A date further in the future than the skew allows is null (the store uses first-seen time);
 * an item without a readable publication date is dated by its update date.
 */
export function normalizeFeed(parsed: ParsedFeed, meta: { url: string; now: Date }): IngestedFeed {
  const siteUrl = resolveLink(parsed.link, meta.url, null);
  const latest = meta.now.getTime() + FUTURE_SKEW_MS;
  const items = parsed.items.map((item) => normalizeItem(item, meta.url, siteUrl, latest));
  return {
    format: parsed.format,
    parser: parsed.parser,
    title: plainText(parsed.title) || null,
    siteUrl,
    ttlMinutes: minutes(parsed.ttl),
    updatePeriodMinutes: updatePeriodMinutes(parsed.schedule?.updatePeriod ?? null, parsed.schedule?.updateFrequency ?? null),
    skipHours: (parsed.schedule?.skipHours ?? []).filter((h) => /^\d{1,2}$/.test(h) && Number(h) < 24).map(Number),
    skipDays: (parsed.schedule?.skipDays ?? []).filter((d) => /^[a-z]+day$/i.test(d)),
    items,
  };
}

function normalizeItem(item: ParsedItem, feedUrl: string, siteUrl: string | null, latest: number): IncomingItem {
  // Each date read once: reading it was the largest part of normalizing an item, and it was read twice or thrice.
  const published = readDate(item.published);
  const updated = readDate(item.updated);
  const out: IncomingItem = {
    guid: item.guid?.trim() || null,
    link: resolveLink(item.link, feedUrl, siteUrl),
    title: plainText(item.title),
    summary: html(item.summary),
    content: html(item.content),
    author: collapse(item.author ?? '') || null,
    categories: uniqueCategories(item.categories),
    // Atom requires only <updated>: an entry without a readable publication date is dated by its last update,
    // which keeps a new subscription's back catalogue in order (first-seen time would date it all "now").
    published: notAhead(published, latest) ?? notAhead(updated, latest),
    updated: notAhead(updated, latest),
  };
  // The same text reads differently once its date has come (pipeline/skim.ts must parse it again then).
  if (isAhead(published, latest) || isAhead(updated, latest)) out.datedAhead = true;
  return out;
}

const readDate = (raw: string | null): Date | null => (raw === null ? null : parseDate(raw));

/** A date written that is dropped as more than the skew ahead of the clock (an unreadable one stays unreadable). */
const isAhead = (d: Date | null, latest: number): boolean => d !== null && d.getTime() > latest;

const notAhead = (d: Date | null, latest: number): Date | null => (d === null || d.getTime() > latest ? null : d);

/** sy:updatePeriod (hourly … yearly) divided by sy:updateFrequency (default 1), in minutes. */
function updatePeriodMinutes(period: string | null, frequency: string | null): number | null {
  const per: Record<string, number> = { hourly: 60, daily: 1440, weekly: 10_080, monthly: 43_200, yearly: 525_600 };
  const p = period === null ? undefined : per[period.trim().toLowerCase()];
  if (p === undefined) return null;
  const f = frequency !== null && /^\s*\d{1,5}\s*$/.test(frequency) ? Math.max(1, Number(frequency)) : 1;
  return Math.max(1, Math.round(p / f));
}

function minutes(ttl: string | null): number | null {
  const n = ttl !== null && /^\s*\d{1,7}\s*$/.test(ttl) ? Number(ttl) : 0;
  return n > 0 ? n : null;
}

function uniqueCategories(raw: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of raw) {
    const name = collapse(c);
    const key = name.toLowerCase();
    if (name === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

// ---------------------------------------------------------------------------------------------------------------
// URLs

function tryUrl(href: string, base: string | undefined): URL | null {
  try {
    return new URL(href, base);
  } catch {
    return null;
  }
}

/**
 * Resolves against the xml:base chain rooted at the feed URL (RFC 3986 §5.1, XML Base). Without xml:base, a
 * relative item link is resolved against the channel's site link first: feeds written with links relative to
 * the site are far more common than ones relative to the feed file. Only http(s) links are kept (no javascript:
 * in an item we republish). An absolute link keeps its published spelling.
 */
export function resolveLink(link: RawLink | null, feedUrl: string, siteUrl: string | null): string | null {
  const href = link?.href.trim();
  if (!link || !href) return null;
  let base = tryUrl(feedUrl, undefined)?.href;
  if (link.bases.length === 0 && siteUrl !== null) base = siteUrl;
  for (const b of link.bases) base = tryUrl(b.trim(), base)?.href ?? base;
  const url = tryUrl(href, base);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null;
  return /^https?:\/\/[^/\s]/i.test(href) ? href : url.href;
}

// ---------------------------------------------------------------------------------------------------------------
// Text

function html(text: RawText | null): string | null {
  if (!text) return null;
  const value = text.value.trim();
  if (value === '') return null;
  return text.type === 'html' ? value : escapeHtml(value);
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Markup or an entity reference: only then is "HTML" text decoded, so "AT&T" and "&nothing" stay as written. */
const HTML_LIKE = /<[a-z/!]|&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);/i;

/** A title as plain text: HTML is decoded and its markup removed; whitespace runs become one space. */
export function plainText(text: RawText | null): string {
  if (!text) return '';
  return collapse(text.type === 'html' && HTML_LIKE.test(text.value) ? htmlToText(text.value) : text.value);
}

const BREAKS = new Set(['br', 'p', 'div', 'li', 'tr', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote']);

function htmlToText(source: string): string {
  let out = '';
  let hidden = 0;
  const parser = new HtmlParser(
    {
      onopentag(name) {
        if (name === 'script' || name === 'style') hidden++;
        else if (BREAKS.has(name)) out += ' ';
      },
      onclosetag(name) {
        if (name === 'script' || name === 'style') hidden = Math.max(0, hidden - 1);
        else if (BREAKS.has(name)) out += ' ';
      },
      ontext(data) {
        if (hidden === 0) out += data;
      },
    },
    { decodeEntities: true },
  );
  parser.end(source);
  return out;
}
