import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './open.js';

// src/db and dist/db are both two levels below the package root, so one relative path serves both.
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/sqlite/', import.meta.url));

/** A numbered migration file, e.g. 0001_init.sql → version 1. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads migrations/sqlite/NNNN_name.sql in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(dir + f, 'utf8') }));
}

/**
 * Applies every migration newer than PRAGMA user_version, each in its own transaction together with the
 * version bump, so a crash mid-migration leaves the previous version intact (yarr's scheme).
 */
export function migrate(db: Db, migrations = loadMigrations()): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(`storage: database schema version ${current} is newer than this warta (${newest}); upgrade warta`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return newest;
}
