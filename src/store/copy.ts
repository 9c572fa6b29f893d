/**
 * `warta migrate-store`: every row of one store copied into another, table by table in batches (a year of news
 * never sits in memory), the counts checked per table. The SQL stays with each implementation: SQLite reads
 * (sqlite/export.ts), PostgreSQL writes (postgres/import.ts), inside one transaction, so a failed copy leaves
 * the target as it was.
 */
import { WartaError } from '../base/errors.js';
import { importPostgresStore } from './postgres/import.js';
import { displayUrl } from './spec.js';
import { exportSqliteStore } from './sqlite/export.js';

/** Every table that holds warta's data, parents before children (items before their tags and outputs). */
export const COPIED_TABLES = ['sources', 'items', 'item_tags', 'item_outputs', 'pages', 'tombstones', 'meta'] as const;
export type CopiedTable = (typeof COPIED_TABLES)[number];

/** One row as the source stores it: its columns by name; instants as ISO 8601 UTC text. */
export type CopyRow = Record<string, string | number | bigint | null>;

/** A store being read out, as one consistent snapshot. */
export interface StoreExport {
  location: string;
  count(table: CopiedTable): number;
  rows(table: CopiedTable, batchSize: number): Iterable<CopyRow[]>;
  close(): void;
}

/** A store being filled, inside one transaction that `commit` ends. */
export interface StoreImport {
  location: string;
  count(table: CopiedTable): Promise<number>;
  /** Removes every row of every copied table (`--force`). */
  clear(): Promise<void>;
  insert(table: CopiedTable, rows: CopyRow[]): Promise<void>;
  /** Brings id sequences past the copied ids and tells other processes the data changed, then commits. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** What was copied, per table. */
export interface CopySummary {
  table: CopiedTable;
  rows: number;
}

export const COPY_BATCH_SIZE = 500;

/**
 * Copies the SQLite store at `fromPath` into the PostgreSQL database at `toUrl` (created and migrated as a
 * daemon would). A target holding any row is refused unless `force`, which empties it first.
 */
export async function copySqliteToPostgres(fromPath: string, toUrl: string, opts: { force?: boolean; batchSize?: number } = {}): Promise<CopySummary[]> {
  const batchSize = opts.batchSize ?? COPY_BATCH_SIZE;
  const source = exportSqliteStore(fromPath);
  try {
    const target = await importPostgresStore(toUrl);
    try {
      const held: string[] = [];
      for (const table of COPIED_TABLES) {
        const n = await target.count(table);
        if (n > 0) held.push(`${table} ${n}`);
      }
      if (held.length > 0) {
        if (!opts.force) {
          throw new WartaError('storage', `the target ${displayUrl(toUrl)} is not empty (${held.join(', ')}); use --force to replace what it holds`);
        }
        await target.clear();
      }
      const summary: CopySummary[] = [];
      for (const table of COPIED_TABLES) {
        const expected = source.count(table);
        for (const batch of source.rows(table, batchSize)) await target.insert(table, batch);
        const copied = await target.count(table);
        if (copied !== expected) {
          throw new WartaError('storage', `${table}: ${expected} rows in ${fromPath} but ${copied} in the target after the copy; nothing was kept`);
        }
        summary.push({ table, rows: copied });
      }
      await target.commit();
      return summary;
    } catch (err) {
      await target.rollback();
      throw err;
    }
  } finally {
    source.close();
  }
}
