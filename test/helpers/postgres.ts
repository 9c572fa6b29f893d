/**
 * PostgreSQL for tests: the server on 127.0.0.1:5432 (trust auth, database `test`, user `postgres`) that the
 * project's machines and CI run, and a schema of its own per test, dropped afterwards. Never any other address.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test server; loopback only. */
export const TEST_SERVER = 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL tests cannot run here, or null when the server answers. */
export async function postgresUnavailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: TEST_SERVER, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `no PostgreSQL answers on 127.0.0.1:5432 as user postgres, database test (${err instanceof Error ? err.message : String(err)})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** In a mocha before(): where no PostgreSQL server answers, prints why and marks the suite pending. */
export async function pendingWithoutPostgres(ctx: Mocha.Context): Promise<void> {
  const reason = await postgresUnavailable();
  if (reason) {
    console.log(`      pending: ${reason}`);
    ctx.skip();
  }
}

/** Runs one statement as the test server's superuser, on a connection of its own. */
export async function adminQuery(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  // Bounded: a server that never answers (overloaded, out of connections) fails the test that asked, saying so,
  // rather than leaving it waiting for ever. Generous, as the machines running these are often loaded.
  const client = new pg.Client({ connectionString: TEST_SERVER, connectionTimeoutMillis: 20_000, query_timeout: 120_000 });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/** A fresh, empty schema; `url` points a store's connections at it (their search_path). */
export async function testSchema(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `warta_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${name}`);
  return {
    name,
    url: `${TEST_SERVER}?options=${encodeURIComponent(`-c search_path=${name}`)}`,
    drop: async () => void (await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`)),
  };
}
