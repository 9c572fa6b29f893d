/** Small HTML helpers the index page's parts share. */
import { cleanText } from '../publish/text.js';
import { makeZonedFormat } from '../base/zoned-time.js';

/** Escapes text for HTML content and double- or single-quoted attributes alike. */
export function esc(s: string): string {
  return cleanText(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `n noun(s)`, with thousands separated. */
export function count(n: number, noun: string): string {
  return `${new Intl.NumberFormat('en-US').format(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** Renders times as `<time>` in the admin's zone, to the minute (the zone is named once, in the page's header). */
export function makeTimeHtml(zone: string): (d: Date | null, none: string) => string {
  const format = makeZonedFormat(zone);
  return (d, none) => {
    if (d === null || Number.isNaN(d.getTime())) return none;
    return `<time datetime="${d.toISOString()}">${format(d)}</time>`;
  };
}

/** An http(s) URL as a link, anything else as text: a config is validated, but the page must not rely on that. */
export function webLink(url: string | null, text: string, cls = ''): string {
  const c = cls ? ` class="${cls}"` : '';
  if (url === null || !/^https?:\/\//i.test(url)) return `<span${c}>${esc(text)}</span>`;
  return `<a${c} href="${esc(url)}" rel="noreferrer nofollow">${esc(text)}</a>`;
}
