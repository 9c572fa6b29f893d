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
