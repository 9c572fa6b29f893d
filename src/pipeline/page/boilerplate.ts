/**
 * What Indonesian news pages put around and inside the article that is not the article: related-link lines
 * ("Baca juga: …" between paragraphs), boxes of other stories (PILIHAN REDAKSI, JURNAS VIDEO, Berita Terkait),
 * the publisher's keyword block (read by keywords.ts before this runs), navigation, ads and share bars.
 * Readability drops most boxes by itself but keeps inline related-link lines on some pages (3 of 23 real pages
 * measured, DEPENDENCIES.md), so both passes run: before readability on the page, after it on the article.
 */
import type { PageDocument, PageElement } from './dom.js';

/** A line that only points at another story: dropped wherever it stands. */
export const RELATED_LINE = /^\s*(?:(?:baca|simak|lihat|tonton|saksikan|cek|klik)\s+(?:juga|pula|selengkapnya|berita\s+lainnya|video)|pilihan\s+editor\s*:|artikel\s+terkait\s*:|berita\s+terkait\s*:)/i;

/** Credits under the article (ANTARA's "Pewarta: … Editor: … Copyright © ANTARA"): not the article. */
export const CREDIT_LINE = /^\s*(?:pewarta|editor|reporter|penulis|rep|red|redaktur|copyright|©)\s*[:©]/i;

/** A heading that opens a box of other stories, keywords or sharing buttons: the box goes. */
export const BOX_HEADING =
  /^\s*(?:pilihan\s+redaksi|jurnas\s+video|berita\s+(?:terkait|lainnya|terkini|populer|terpopuler|pilihan)|artikel\s+(?:terkait|lainnya)|terpopuler|populer|rekomendasi|(?:video|foto)\s+(?:pilihan|terkait|terkini)|keywords?\s*:?|tags?\s*:?|topik\s*(?:terkait)?\s*:?|bagikan(?:\s+artikel)?\s*:?|share\s*:?|ikuti\s+kami|komentar|most\s+popular|related)\s*$/i;

// class/id words of parts that are never article text. Matched as whole words of the class or id.
export const JUNK_WORD =
  /(?:^|[\s_-])(?:ads?|advert\w*|iklan|banner|sponsor\w*|promo|share|sharing|social|sosmed|related|terkait|baca-?juga|bacajuga|pilihan|redaksi-pilihan|rekomendasi|populer|terpopuler|trending|newsletter|subscribe|comments?|komentar|breadcrumbs?|tags?|keywords?|topik|nav|navbar|menu|footer|sidebar|widget|video-?box|jurnas-?video|most-?popular|outbrain|taboola|dfp|gpt)(?:$|[\s_-])/i;

// Elements that are never article text on any page.
const DROP_TAGS = 'nav, form, button, input, select, textarea, dialog, link, meta, embed, video, audio, canvas, ins.adsbygoogle';

/** Removes navigation, ads, share bars and boxes of other stories from a page before it is measured. */
export function dropPageBoilerplate(doc: PageDocument, keep: PageElement | null = null): void {
  for (const el of [...doc.querySelectorAll(DROP_TAGS)]) el.remove();
  // The page's header and footer go; an <article>'s own <header> (title, date line, lead) stays.
  for (const el of [...doc.querySelectorAll('header, footer, aside')]) if (!el.closest('article') || el.tagName !== 'HEADER') el.remove();
  for (const el of [...doc.querySelectorAll('[class], [id]')]) {
    if (!el.isConnected || (keep && (el === keep || el.contains(keep)))) continue;
    const words = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`;
    // The article's own wrapper is often "content-detail share-enabled": only small parts, or parts that are
    // mostly links, are judged by name.
    if (JUNK_WORD.test(words) && (textLength(el) < 1500 || linkDensity(el) > 0.5)) el.remove();
  }
  dropRelated(doc.body ?? doc.documentElement);
}

/** Removes related-link lines and boxes inside an article (after readability, or inside a content selector). */
export function dropRelated(root: PageElement | null): void {
  if (!root) return;
  for (const el of [...root.querySelectorAll('p, div, li, h2, h3, h4, h5, h6, strong, b, span, section, aside, ul, ol, blockquote, table')]) {
    if (!el.isConnected) continue;
    const text = (el.textContent ?? '').trim();
    if (RELATED_LINE.test(text) && text.length < 400 && !hasBlockChildWithOtherText(el)) {
      // A label alone ("Lihat Juga:") heads the list of links that follows it.
      if (!el.querySelector('a') && /^[^:]{0,40}:?$/.test(text)) removeBox(el, root);
      else removeLine(el);
    } else if (CREDIT_LINE.test(text) && text.length < 300 && /^(?:p|div)$/i.test(el.tagName) && el.querySelectorAll('p').length === 0) {
      el.remove();
    } else if (/^h[2-6]$|^(?:strong|b|span|div|p)$/i.test(el.tagName) && BOX_HEADING.test(text)) {
      removeBox(el, root);
    }
  }
}

function linkDensity(el: PageElement): number {
  let linked = 0;
  for (const a of el.querySelectorAll('a')) linked += textLength(a);
  return linked / Math.max(1, textLength(el));
}

function textLength(el: PageElement): number {
  return (el.textContent ?? '').length;
}

// A block holding a related line and real paragraphs is the article, not the line: only its parts are removed.
function hasBlockChildWithOtherText(el: PageElement): boolean {
  const blocks = el.querySelectorAll('p, div, li, h2, h3, h4');
  for (const b of blocks) if (!RELATED_LINE.test((b.textContent ?? '').trim())) return true;
  return false;
}

// "Baca juga:" in a <strong> inside a <p>: the whole paragraph goes, not only the label.
function removeLine(el: PageElement): void {
  let target = el;
  while (/^(?:strong|b|span|em|i|a)$/i.test(target.tagName) && target.parentElement && (target.parentElement.textContent ?? '').trim().length < 400) {
    target = target.parentElement;
  }
  target.remove();
}

// A box heading: the smallest container around it that holds only the box (mostly links, little prose) goes;
// when the heading sits directly in the article, it and the lists or link lines after it go.
function removeBox(heading: PageElement, root: PageElement): void {
  let box: PageElement = heading;
  while (/^(?:strong|b|span)$/i.test(box.tagName) && box.parentElement && box.parentElement !== root && (box.parentElement.textContent ?? '').trim() === (heading.textContent ?? '').trim()) {
    box = box.parentElement;
  }
  const parent = box.parentElement;
  if (parent && parent !== root && isLinkBox(parent, box)) return parent.remove();
  // Siblings that follow: lists of links or short link lines, up to the next real paragraph.
  let next = box.nextElementSibling;
  box.remove();
  while (next && isLinkBox(next, null)) {
    const after = next.nextElementSibling;
    next.remove();
    next = after;
  }
}

// Mostly links, or short, and no long paragraph: a box of other stories or a keyword list.
function isLinkBox(el: PageElement, heading: PageElement | null): boolean {
  const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
  const headingText = heading ? (heading.textContent ?? '').trim().length : 0;
  const rest = text.length - headingText;
  if (rest <= 0) return true;
  let linked = 0;
  for (const a of el.querySelectorAll('a')) linked += (a.textContent ?? '').replace(/\s+/g, ' ').trim().length;
  if (linked / rest >= 0.5) return true;
  for (const p of el.querySelectorAll('p')) if ((p.textContent ?? '').trim().length > 200) return false;
  return rest < 120 && /^(?:ul|ol|div|p)$/i.test(el.tagName) && el.querySelectorAll('a').length > 0;
}
