import { fileURLToPath } from 'node:url';
import { loadMigrations as loadMigrationFiles, type Migration } from '../rows.js';
import type { Db } from './open.js';

// src/store/sqlite and dist/store/sqlite are both three levels below the package root: one path serves both.
const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations/sqlite/', import.meta.url));

/** Reads migrations/sqlite/NNNN_name.sql in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return loadMigrationFiles(dir);
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
