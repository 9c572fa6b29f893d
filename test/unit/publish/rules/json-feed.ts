/** JSON Feed 1.1 checks (https://jsonfeed.org/version/1.1; the W3C validator has none). */
import { type Expected, type Problems, checkHtml, checkRfc3339, checkUri } from './common.js';

const FEED_KEYS = new Set(
  'version title home_page_url feed_url description user_comment next_url icon favicon authors language expired hubs items'.split(' '),
);
const ITEM_KEYS = new Set(
  ('id url external_url title content_html content_text summary image banner_image date_published date_modified ' +
    'authors tags language attachments').split(' '),
);

function checkJsonAuthors(value: unknown, where: string, out: Problems) {
  if (!Array.isArray(value)) return void out.push(`${where}.authors: must be an array`);
  value.forEach((a: unknown, i) => {
    if (typeof a !== 'object' || a === null) return void out.push(`${where}.authors[${i}]: must be an object`);
    const o = a as Record<string, unknown>;
    if (!['name', 'url', 'avatar'].some((k) => typeof o[k] === 'string')) out.push(`${where}.authors[${i}]: needs name, url or avatar`);
    for (const k of ['url', 'avatar']) if (o[k] !== undefined && typeof o[k] === 'string') checkUri(o[k] as string, `${where}.authors[${i}].${k}`, out);
  });
}

/** JSON Feed 1.1 (https://jsonfeed.org/version/1.1): required members, types, and warta's HTML policy. */
export function checkJsonFeed(src: string, expected: Expected): Problems {
  const out: Problems = [];
  const now = expected.now ?? new Date();
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(src) as Record<string, unknown>;
  } catch (err) {
    return [`not JSON: ${(err as Error).message}`];
  }
  for (const k of Object.keys(doc)) if (!FEED_KEYS.has(k) && !k.startsWith('_')) out.push(`unknown top-level member ${k}`);
  if (doc.version !== 'https://jsonfeed.org/version/1.1') out.push('version must be "https://jsonfeed.org/version/1.1"');
  if (typeof doc.title !== 'string' || doc.title.trim() === '') out.push('title: required string');
  for (const k of ['home_page_url', 'feed_url'])
    if (typeof doc[k] !== 'string') out.push(`${k}: should be present (a string)`);
    else checkUri(doc[k] as string, k, out);
  if (doc.feed_url !== expected.selfUrl) out.push(`feed_url ${String(doc.feed_url)} ≠ served URL ${expected.selfUrl}`);
  if (doc.description !== undefined && typeof doc.description !== 'string') out.push('description: must be a string');
  if (doc.language !== undefined && typeof doc.language !== 'string') out.push('language: must be a string');
  if ('author' in doc) out.push('author is JSON Feed 1.0: use authors');
  if (doc.authors !== undefined) checkJsonAuthors(doc.authors, 'feed', out);
  if (!Array.isArray(doc.items)) return [...out, 'items: required array'];
  const ids = new Set<string>();
  (doc.items as unknown[]).forEach((raw, i) => {
    const where = `items[${i}]`;
    if (typeof raw !== 'object' || raw === null) return void out.push(`${where}: must be an object`);
    const item = raw as Record<string, unknown>;
    for (const k of Object.keys(item)) if (!ITEM_KEYS.has(k) && !k.startsWith('_')) out.push(`${where}: unknown member ${k}`);
    if ('author' in item) out.push(`${where}: author is JSON Feed 1.0: use authors`);
    if (typeof item.id !== 'string' || item.id === '') out.push(`${where}.id: required non-empty string`);
    else {
      if (ids.has(item.id)) out.push(`${where}.id: duplicate ${item.id}`);
      ids.add(item.id);
    }
    if (typeof item.content_html !== 'string' && typeof item.content_text !== 'string')
      out.push(`${where}: content_html or content_text must be present`);
    if (typeof item.content_html === 'string') checkHtml(item.content_html, `${where}.content_html`, out);
    for (const k of ['title', 'summary', 'content_text', 'language'])
      if (item[k] !== undefined && typeof item[k] !== 'string') out.push(`${where}.${k}: must be a string`);
    if (typeof item.summary === 'string' && /<\/?[a-zA-Z][^>]*>/.test(item.summary)) out.push(`${where}.summary: must be plain text`);
    for (const k of ['url', 'external_url', 'image', 'banner_image'])
      if (item[k] !== undefined) {
        if (typeof item[k] !== 'string') out.push(`${where}.${k}: must be a string`);
        else checkUri(item[k] as string, `${where}.${k}`, out);
      }
    for (const k of ['date_published', 'date_modified'])
      if (item[k] !== undefined) {
        if (typeof item[k] !== 'string') out.push(`${where}.${k}: must be a string`);
        else checkRfc3339(item[k] as string, `${where}.${k}`, out, now);
      }
    if (item.tags !== undefined && (!Array.isArray(item.tags) || item.tags.some((t) => typeof t !== 'string' || t === '')))
      out.push(`${where}.tags: must be an array of non-empty strings`);
    if (item.authors !== undefined) checkJsonAuthors(item.authors, where, out);
  });
  return out;
}
