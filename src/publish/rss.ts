/**
 * RSS 2.0 renderer (https://www.rssboard.org/rss-specification), written by hand with xml.ts rather than with the
 * `feed` package, whose rss2() wraps text in CDATA that a second `]]>` breaks open, leaves control characters in
 * and escapes attributes partially. Every rule below is one the W3C Feed Validator checks:
 * - channel: title, link, description, and an atom:link rel="self" equal to the URL served (channel.py
 *   MissingAtomSelfLink, link.py SelfDoesntMatchLocation) with an RSS media type (link.py SelfNotAtom); channel
 *   elements before the first item (channel.py MisplacedItem);
 * - item: a title or a description (item.py); the uid as `<guid isPermaLink="false">`, since a urn:uuid is not
 *   a permalink (item.py guid, InvalidPermalink); RFC 822 dates (validators.py rfc822);
 * - the author as dc:creator: RSS `<author>` must be an email address (item.py email_with_name);
 * - `<source url>` only with the source's feed URL (item.py source); description before content:encoded
 *   (item.py NeedDescriptionBeforeContent).
 */
import type { Entry } from './entry.js';
import type { FeedMeta } from './meta.js';
import { rfc822 } from './dates.js';
import { XmlWriter } from './xml.js';

const NS_ATOM = 'http://www.w3.org/2005/Atom';
const NS_CONTENT = 'http://purl.org/rss/1.0/modules/content/';
const NS_DC = 'http://purl.org/dc/elements/1.1/';

/** Renders an RSS 2.0 document. */
export function renderRss(meta: FeedMeta, entries: readonly Entry[]): string {
  const w = new XmlWriter();
  w.start('rss', [
    ['version', '2.0'],
    ['xmlns:atom', NS_ATOM],
    ['xmlns:content', NS_CONTENT],
    ['xmlns:dc', NS_DC],
  ]);
  w.start('channel');
  w.text('title', meta.title);
  w.text('link', meta.homeUrl);
  w.text('description', meta.description);
  w.empty('atom:link', [
    ['href', meta.selfUrls.rss],
    ['rel', 'self'],
    ['type', 'application/rss+xml'],
  ]);
  if (meta.language) w.text('language', meta.language);
  w.text('lastBuildDate', rfc822(meta.updated));
  w.text('docs', 'https://www.rssboard.org/rss-specification');
  w.text('generator', 'warta');

  for (const e of entries) {
    w.start('item');
    // A title is optional when a description is present; an empty <title> would draw NotBlank.
    if (e.title !== '' || e.html === '') w.text('title', e.title || e.displayTitle);
    if (e.link !== null) w.text('link', e.link);
    w.text('guid', e.id, [['isPermaLink', 'false']]);
    w.text('pubDate', rfc822(e.published));
    if (e.author !== null) w.text('dc:creator', e.author.name);
    for (const tag of e.tags) w.text('category', tag);
    if (e.source !== null) w.text('source', e.source.title, [['url', e.source.feedUrl]]);
    if (e.summaryHtml !== '') {
      w.text('description', e.summaryHtml);
      w.text('content:encoded', e.html);
    } else if (e.html !== '') {
      w.text('description', e.html);
    }
    w.end();
  }
  w.end().end();
  return w.toString();
}
