/**
 * When an article was published, from its page: the visible date line ("Jum'at, 08/11/2024 04:40 WIB") and the
 * page's metadata (JSON-LD `datePublished`, `article:published_time`, site variants). Where both are present and
 * disagree, the visible line wins: some outlets label WIB times as UTC in their meta tags, and the line is what the
 * newsroom wrote. The forms themselves are read by the feed date parser (feed/dates.ts), which already knows
 * Indonesian day and month names and the zones WIB/WITA/WIT; this file finds the date inside a line and rewrites
 * what only pages write.
 */
import { parseDate } from '../feed/dates.js';
import type { PageDocument } from './dom.js';

const DAY = String.raw`(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad)`;
const MONTH = String.raw`(?:januari|jan|februari|feb|pebruari|peb|maret|mar|april|apr|mei|juni|jun|juli|jul|agustus|agu|agt|ags|aug|september|sept|sep|oktober|okt|oct|november|nopember|nov|nop|desember|des|dec)\.?`;
const DATE = String.raw`(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{1,2}\s+${MONTH}\s+\d{4}|\d{4}-\d{2}-\d{2})`;
const TIME = String.raw`\d{1,2}[:.]\d{2}(?:[:.]\d{2})?`;
const ZONE = String.raw`(?:WIB|WITA|WIT|UTC|GMT)`;
// Day name, date, time and zone, each optional but the date, with the separators pages put between them.
const LINE = new RegExp(
  String.raw`(?:${DAY}\s*[,|/-]?\s*)?(${DATE})(?:\s*[,|-]?\s*(?:pukul|jam)?\s*(${TIME})(?:\s*(${ZONE})\b)?)?`,
  'iu',
);

const OFFSETS: Record<string, string> = { WIB: '+07:00', WITA: '+08:00', WIT: '+09:00' };

// Abbreviations and spellings feed/dates.ts does not know.
const MONTH_FIXES: [RegExp, string][] = [
  [/\bnop(?:ember)?\b/i, 'Nov'],
  [/\bpeb(?:ruari)?\b/i, 'Feb'],
];

/**
 * The first date in a visible line, as an instant. A time without a zone is read as WIB (national outlets print
 * Jakarta time); a date without a time is midnight WIB. Null when the line holds no date.
 */
export function parseDateLine(line: string): Date | null {
  return readDateLine(line)?.at ?? null;
}

/** Whether a piece of text holds something shaped like a date line (cheap: no date is built). */
export function hasDateLine(text: string): boolean {
  return text.length < 300 && /\d{4}/.test(text) && LINE.test(text);
}

/** A date line's instant, and whether it gave a time of day. */
export interface DateLine {
  at: Date;
  hasTime: boolean;
}

/** parseDateLine, telling a date-only line apart. */
export function readDateLine(line: string): DateLine | null {
  const text = line.replace(/\s+/g, ' ').slice(0, 300);
  const m = LINE.exec(text);
  if (!m) return null;
  let date = m[1]!.replace(/\s*([/.-])\s*/g, '$1');
  for (const [re, to] of MONTH_FIXES) date = date.replace(re, to);
  date = date.replace(/\.$/, '');
  const time = m[2] ?? '00:00';
  const zone = m[3] ?? 'WIB';
  // The day name is dropped: "Jumat, 8/11" is read day-first by the zone alone, and a wrong day name (a page
  // template's bug) must not make the date unreadable.
  const at = /^\d{4}-/.test(date)
    ? parseDate(`${date}T${time.replace('.', ':')}${OFFSETS[zone.toUpperCase()] ?? 'Z'}`)
    : parseDate(`${date} ${time} ${zone}`);
  return at ? { at, hasTime: m[2] !== undefined } : null;
}

/** The published date of a page's metadata: JSON-LD datePublished, then meta tags. */
export function metaPublished(doc: PageDocument, jsonLd: unknown[]): Date | null {
  const fromLd = ldDate(jsonLd);
  if (fromLd) return fromLd;
  const names = ['article:published_time', 'og:article:published_time', 'datepublished', 'pubdate', 'publishdate', 'publish-date', 'dtk:publishdate', 'content_publishdate', 'date', 'dc.date', 'dc.date.issued'];
  for (const name of names) {
    for (const m of doc.querySelectorAll('meta[content]')) {
      const key = (m.getAttribute('property') ?? m.getAttribute('name') ?? m.getAttribute('itemprop') ?? '').toLowerCase();
      if (key !== name) continue;
      const d = parseDate(m.getAttribute('content') ?? '') ?? parseDateLine(m.getAttribute('content') ?? '');
      if (d) return d;
    }
  }
  return null;
}

// Where pages print the date line: elements named for it, <time>, then the article header.
const DATE_LINE_SELECTOR = [
  'time', '[class*="date" i]', '[class*="tanggal" i]', '[class*="time" i]', '[class*="publish" i]', '[class*="waktu" i]',
  '[id*="date" i]', '[class*="meta" i]', '[class*="byline" i]', '[class*="author" i]', '[class*="info" i]',
].join(', ');

/** The visible date line of a page, read; "Diperbarui" (updated) lines come only after published ones. */
export function visiblePublished(doc: PageDocument): DateLine | null {
  let updated: DateLine | null = null;
  let checked = 0;
  for (const el of doc.querySelectorAll(DATE_LINE_SELECTOR)) {
    const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
    if (text.length === 0 || text.length > 200) continue;
    if (++checked > 200) break;
    const d = readDateLine(text);
    if (!d) continue;
    if (/diperbarui|update|pembaruan/i.test(text)) updated ??= d;
    else return d;
  }
  return updated;
}

/** The page's published date: the visible line where there is one (it wins over metadata), else the metadata. */
export function findPublished(doc: PageDocument, jsonLd: unknown[]): Date | null {
  return choosePublished(visiblePublished(doc), metaPublished(doc, jsonLd));
}

/**
 * Visible line over metadata: they disagree when outlets mislabel zones, and the line is what readers see. A line
 * with a date but no time gives way to metadata of the same day (in WIB), which knows the hour.
 */
export function choosePublished(visible: DateLine | null, meta: Date | null): Date | null {
  if (!visible) return meta;
  if (!visible.hasTime && meta && wibDay(meta) === wibDay(visible.at)) return meta;
  return visible.at;
}

function wibDay(d: Date): string {
  return new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 10);
}

function ldDate(jsonLd: unknown[]): Date | null {
  let found: Date | null = null;
  const visit = (node: unknown, depth: number): void => {
    if (found || depth > 4 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => visit(n, depth + 1));
    const o = node as Record<string, unknown>;
    if (typeof o.datePublished === 'string') found = parseDate(o.datePublished);
    if (!found && o['@graph']) visit(o['@graph'], depth + 1);
  };
  jsonLd.forEach((n) => visit(n, 0));
  return found;
}
