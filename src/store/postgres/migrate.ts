/**
 * Schema migrations: migrations/postgres/NNNN_name.sql, applied at open in one transaction under an advisory
 * lock, so several daemons starting at once migrate once (the others wait, then find nothing left to do).
 * PostgreSQL's DDL is transactional: a crash mid-migration leaves the previous version intact.
 */
import { fileURLToPath } from 'node:url';
import { loadMigrations as loadMigrationFiles, type Migration } from '../rows.js';
import type pg from 'pg';
import { MIGRATE_LOCK } from './locks.js';

// src/store/postgres and dist/store/postgres are both three levels below the package root.
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/postgres/', import.meta.url));

/** Reads migrations/postgres/NNNN_name.sql in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return loadMigrationFiles(dir);
}

/** Brings the schema (the connection's search_path) up to date; returns its version. */
export async function migrate(pool: pg.Pool, migrations = loadMigrations()): Promise<number> {
  const newest = migrations.at(-1)?.version ?? 0;
  const client = await pool.connect();
  // Unheard, a connection ended by the server between two statements would crash the process (store.ts).
  const lost = () => {};
  client.on('error', lost);
  try {
    await client.query('BEGIN');
    // Transaction-scoped: released by COMMIT or ROLLBACK, and by the server if this process dies.
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', MIGRATE_LOCK);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version     integer PRIMARY KEY,
         name        text NOT NULL,
         applied_at  timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const current = ((await client.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0] as { v: number }).v;
    if (current > newest) {
      throw new Error(`database schema version ${current} is newer than this warta (${newest}); upgrade warta`);
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query('COMMIT');
    return newest;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.removeListener('error', lost);
    client.release();
  }
}

/** The schema's version without changing anything (a read-only open); 0 where warta never ran. */
export async function schemaVersion(pool: pg.Pool): Promise<number> {
  const exists = await pool.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS t`);
  if (!(exists.rows[0] as { t: boolean }).t) return 0;
  return ((await pool.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0] as { v: number }).v;
}
