/**
 * Statements as `pg` named queries: each is parsed and planned once per pooled connection, on first use, and
 * reused after (the style guide's "every statement is prepared once").
 */
import type pg from 'pg';

/** A pool, or one connection of it inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/** A prepared statement: run it on a pool or a transaction's client with positional values. */
export type Statement = <R extends object = Record<string, unknown>>(db: Queryable, values?: readonly unknown[]) => Promise<pg.QueryResult<R>>;

/** A statement named `warta_<name>` (names are per connection, so they must be unique across the store). */
export function statement(name: string, text: string): Statement {
  return <R extends object>(db: Queryable, values: readonly unknown[] = []) =>
    db.query<R>({ name: `warta_${name}`, text, values: values as unknown[] });
}

/**
 * A statement planned at every run for its values (the unnamed statement): for a read whose best plan turns on them,
 * a tag's frequency (BENCHMARKS.md "pgstory15"). Prepared, after five runs the server may keep a generic plan,
 * planned for no tag in particular; seen on a store of 2,000 items, after 8 runs for a common tag the story list of a
 * rare one walked every item (5,959 buffers, not 34). Planning costs ~0.2 ms; these reads are API calls and output
 * renders. The name travels as a comment (pg_stat_activity shows it).
 */
export function plannedEachRun(name: string, text: string): Statement {
  const named = `/* warta_${name} */ ${text}`;
  return <R extends object>(db: Queryable, values: readonly unknown[] = []) => db.query<R>({ text: named, values: values as unknown[] });
}
