/**
 * What every SQL store shares: its rows (snake_case columns, the same in SQLite and PostgreSQL) as the plain
 * records of store.ts, and the numbered migration files. Only the representation of times differs: SQLite
 * keeps RFC 3339 text, PostgreSQL timestamptz (pg hands back Date objects); `asDate` reads either.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { StoredItem } from '../base/model.js';
import type { ItemStory, SourceHealth, SourceRow } from './store.js';

/** A stored time as a Date: RFC 3339 text (SQLite) or a Date (PostgreSQL); null for none. */
export function asDate(v: unknown): Date | null {
  if (v instanceof Date) return v;
  return typeof v === 'string' ? new Date(v) : null;
}

/** A row of `sources` as the rest of warta sees it. */
export function toSourceRow(r: Record<string, unknown>): SourceRow {
  return {
    id: r.id as string,
    url: r.url as string,
    title: (r.title as string | null) ?? null,
    siteUrl: (r.site_url as string | null) ?? null,
    etag: (r.etag as string | null) ?? null,
    lastModified: (r.last_modified as string | null) ?? null,
    bodyHash: (r.body_hash as string | null) ?? null,
    parser: (r.parser as string | null) ?? null,
    format: (r.format as string | null) ?? null,
    state: r.state as SourceHealth,
    lastStatus: (r.last_status as number | null) ?? null,
    lastErrorCode: (r.last_error_code as string | null) ?? null,
    lastErrorMessage: (r.last_error_message as string | null) ?? null,
    consecutiveFailures: r.consecutive_failures as number,
    totalFailures: r.total_failures as number,
    notModifiedCount: r.not_modified_count as number,
    lastPoll: asDate(r.last_poll),
    lastSuccess: asDate(r.last_success),
    heldUntil: asDate(r.held_until),
    hintUntil: asDate(r.hint_until),
    feedHintMs: (r.feed_hint_ms as number | null) ?? null,
    effectiveUrl: (r.effective_url as string | null) ?? null,
    redirectTarget: (r.redirect_target as string | null) ?? null,
    redirectSeen: r.redirect_seen as number,
  };
}

/** A row of `items` as the rest of warta sees it, with the tag names it carries (`matches` come separately). */
export function toStoredItem(r: Record<string, unknown>, tags: string[]): StoredItem {
  return {
    id: r.id as number,
    uid: r.uid as string,
    sourceId: r.source_id as string,
    guid: (r.guid as string | null) ?? null,
    link: (r.link as string | null) ?? null,
    title: r.title as string,
    summary: (r.summary as string | null) ?? null,
    content: (r.content as string | null) ?? null,
    author: (r.author as string | null) ?? null,
    categories: JSON.parse(r.categories as string) as string[],
    published: asDate(r.published)!,
    updated: asDate(r.updated)!,
    firstSeen: asDate(r.first_seen)!,
    tags,
    // Rows written before migration 0002 ran are their own cluster (the migration and a trigger see to it).
    clusterId: r.cluster_id == null ? (r.id as number) : Number(r.cluster_id),
    canonicalUrl: (r.canonical_url as string | null | undefined) ?? null,
    appearanceOf: r.appearance_of == null ? null : Number(r.appearance_of),
    // Read only by the API's queries (a LEFT JOIN on pages): absent for items whose page was never asked for.
    ...(typeof r.page_state === 'string'
      ? { page: { state: r.page_state as 'pending' | 'done' | 'failed', error: typeof r.page_error_code === 'string' ? { code: r.page_error_code, message: (r.page_error_message as string | null) ?? '' } : null } }
      : {}),
  };
}

/** Whether two sets hold the same members. */
export function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** A numbered migration file, e.g. 0001_init.sql → version 1. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads `dir`/NNNN_name.sql in order (append-only: a released file never changes). */
export function loadMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(dir + f, 'utf8') }));
}

/** Where a new item is stored in its story: its cluster (null: one of its own), the article it relays, the relay it takes over. */
export interface StoryTarget {
  cluster: number | null;
  appearanceOf: number | null;
  takeOver: number | null;
}

/** A stored row's story columns. */
export interface StoryColumns {
  cluster: number;
  appearanceOf: number | null;
}

/** A new item in a cluster (null: one of its own, the insert trigger's). */
export const inCluster = (cluster: number | null): StoryTarget => ({ cluster, appearanceOf: null, takeOver: null });

/**
 * The target of a new item whose story names a row (`named`: ItemStory.takeOver, else appearanceOf), re-checked
 * against that row as stored now (`row`) and, when it relays an article now, that article's row (`article`: a
 * takeover leaves no chain longer than one). A named article is taken over or relayed as the plan said; a row
 * taken over since the plan read it makes this an appearance of its new article. Undefined when the row or its
 * article is gone: the plan's cluster decides then.
 */
export function namedTarget(s: ItemStory, named: number, row: StoryColumns | undefined, article: StoryColumns | undefined): StoryTarget | undefined {
  if (!row) return undefined;
  if (row.appearanceOf === null) return s.takeOver != null ? { cluster: row.cluster, appearanceOf: null, takeOver: named } : { cluster: row.cluster, appearanceOf: named, takeOver: null };
  return article && article.appearanceOf === null ? { cluster: article.cluster, appearanceOf: row.appearanceOf, takeOver: null } : undefined;
}
