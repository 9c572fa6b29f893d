/**
 * OPML 2.0 subscription list (http://opml.org/spec2.opml) of warta's own feeds, written with xml.ts.
 * Validator rules (feedvalidator opml.py): version 2.0; head with title and an RFC 822 dateCreated; a body with
 * at least one outline; each outline with `text`; `type="rss"` outlines with `xmlUrl` and `title`; URLs absolute.
 * Serve it as text/x-opml (mediaTypes.py lists it; anything else draws UnexpectedContentType).
 *
 * Every feed is written `type="rss"` whatever its format: that is OPML 2.0's subscription-list convention and
 * the only type readers import; the entry's `type` is accepted for the caller's convenience and not written.
 *
 * Known limit: the validator parses `text`/`title` as HTML (opml.py safeHtml), so a title with `<` or an
 * ampersand followed by letters ("Q&A") draws NotHtml. We still write titles as plain text, because readers
 * import them as plain text and an HTML-escaped title would show as "Q&amp;A".
 */
import { rfc822 } from './dates.js';
import { oneLine } from './text.js';
import { publishableUrl } from './url.js';
import { XmlWriter } from './xml.js';

/** One feed in the subscription list. */
export interface OpmlEntry {
  title: string;
  xmlUrl: string;
  htmlUrl: string;
  type: 'rss' | 'atom';
}

/** Media type to serve renderOpml's output with. */
export const OPML_CONTENT_TYPE = 'text/x-opml; charset=utf-8';

/** Renders an OPML 2.0 document listing `entries` in the given order; `now` becomes dateCreated. */
export function renderOpml(title: string, entries: readonly OpmlEntry[], now: Date): string {
  const w = new XmlWriter();
  w.start('opml', [['version', '2.0']]);
  w.start('head');
  w.text('title', oneLine(title) || 'warta');
  w.text('dateCreated', rfc822(now));
  w.end();
  w.start('body');
  let written = 0;
  for (const e of entries) {
    const xmlUrl = publishableUrl(e.xmlUrl, null);
    if (xmlUrl === null) continue;
    const htmlUrl = publishableUrl(e.htmlUrl, null);
    const name = oneLine(e.title) || xmlUrl;
    w.empty('outline', [
      ['type', 'rss'],
      ['text', name],
      ['title', name],
      ['xmlUrl', xmlUrl],
      ['htmlUrl', htmlUrl],
    ]);
    written += 1;
  }
  // OPML 2.0 wants at least one outline in the body (opml.py MissingElement); a plain text outline imports as
  // nothing in readers.
  if (written === 0) w.empty('outline', [['text', 'No feeds']]);
  w.end().end();
  return w.toString();
}
