/**
 * Atom 1.0 renderer (RFC 4287), written by hand with xml.ts rather than with the `feed` package, whose atom1()
 * throws on non-URL ids and rewrites URL ids (changing entry identity), writes titles as type="html" and
 * category attributes half-escaped. Every rule below is one the W3C Feed Validator checks:
 * - the Atom namespace as the default namespace (base.py AvoidNamespacePrefix);
 * - feed: id, title, updated, a link rel="self" equal to the URL served with an Atom media type (feed.py
 *   MissingSelf, link.py SelfDoesntMatchLocation / SelfNotAtom), an author (entry.py: every entry needs one of
 *   its own or the feed's), all before the first entry (feed.py MisplacedMetadata);
 * - entry: id, a non-blank title (entry.py MissingElement, content.py NotBlank), updated; always a content
 *   (entry.py MissingTextualContent, MissingContentOrAlternate); categories with a non-blank term (category.py);
 * - no two entries with the same <updated> (entry.py unique('updated') → DuplicateUpdated): entries sharing an
 *   instant (items first seen in one refresh) are stepped back 1 ms each in document order, and <published> is
 *   kept ≤ <updated>. The shift is invisible to readers, and stable as long as tied items keep their order.
 */
import type { Entry } from './entry.js';
import type { FeedMeta } from './meta.js';
import { rfc3339 } from './dates.js';
import { XmlWriter } from './xml.js';

/** Renders an Atom 1.0 document. */
export function renderAtom(meta: FeedMeta, entries: readonly Entry[]): string {
  const w = new XmlWriter();
  w.start('feed', [
    ['xmlns', 'http://www.w3.org/2005/Atom'],
    ['xml:lang', meta.language ?? null],
  ]);
  w.text('id', meta.id);
  w.text('title', meta.title);
  if (meta.description !== '') w.text('subtitle', meta.description);
  w.text('updated', rfc3339(meta.updated));
  w.empty('link', [
    ['rel', 'self'],
    ['type', 'application/atom+xml'],
    ['href', meta.selfUrls.atom],
  ]);
  w.empty('link', [
    ['rel', 'alternate'],
    ['type', 'text/html'],
    ['href', meta.homeUrl],
  ]);
  w.start('author').text('name', meta.title).text('uri', meta.homeUrl).end();
  w.text('generator', 'warta');

  const usedUpdated = new Set<number>();
  for (const e of entries) {
    let t = e.updated.getTime();
    while (usedUpdated.has(t)) t -= 1;
    usedUpdated.add(t);
    const updated = new Date(t);
    const published = e.published.getTime() > t ? updated : e.published;

    w.start('entry');
    w.text('id', e.id);
    w.text('title', e.displayTitle);
    if (e.link !== null) w.empty('link', [['rel', 'alternate'], ['href', e.link]]);
    w.text('published', rfc3339(published));
    w.text('updated', rfc3339(updated));
    if (e.author !== null) {
      w.start('author').text('name', e.author.name);
      if (e.author.url !== null) w.text('uri', e.author.url);
      w.end();
    }
    for (const tag of e.tags) w.empty('category', [['term', tag]]);
    if (e.summaryHtml !== '') w.text('summary', e.summaryHtml, [['type', 'html']]);
    // With nothing left to show, the title stands in as text content: an entry without content needs a summary
    // (MissingTextualContent) and an alternate link (MissingContentOrAlternate), and items may have no link.
    if (e.html !== '') w.text('content', e.html, [['type', 'html']]);
    else w.text('content', e.displayTitle, [['type', 'text']]);
    w.end();
  }
  w.end();
  return w.toString();
}
