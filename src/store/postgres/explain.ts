/**
 * What a read costs on PostgreSQL, for the plan test and the bench (test/integration/tag-plan-pg.test.ts,
 * bench/tagq.ts): a connection that runs each statement as the store does (named, so the server's plan cache
 * behaves as in the daemon), then `EXPLAIN (ANALYZE, BUFFERS)` of the same statement, and adds up the
 * buffers every statement touched (shared hits and reads: the pages a query needed, warm or cold).
 */
import pg from 'pg';
import type { Queryable } from './statement.js';

/** One statement's plan (FORMAT JSON's top node) and the buffers it touched. */
export interface ExplainedStatement {
  name: string;
  buffers: number;
  plan: PlanNode;
}
/** A node of EXPLAIN (FORMAT JSON)'s plan tree, with the fields the tests read. */
export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
}

const EXPLAIN = 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)';
type Explained = { 'QUERY PLAN': [{ Plan: PlanNode }] };

/** A value as a literal in `EXECUTE name(…)` (a utility statement takes no bound parameters). */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return pg.escapeLiteral(v.toISOString());
  const element = (e: unknown) => (e === null ? 'NULL' : `"${String(e).replace(/["\\]/g, '\\$&')}"`);
  if (Array.isArray(v)) return pg.escapeLiteral(`{${v.map(element).join(',')}}`);
  return pg.escapeLiteral(String(v));
}

/** `client` as a Queryable that explains what it runs; `statements` lists each statement run, in order. */
export function explaining(client: pg.PoolClient): { db: Queryable; statements: ExplainedStatement[]; buffers: () => number } {
  const statements: ExplainedStatement[] = [];
  const query = async (config: pg.QueryConfig) => {
    const result = await client.query(config);
    // A prepared statement as its cached plan runs; one planned at each run (`plannedEachRun`) as itself.
    const { rows } = config.name
      ? await client.query<Explained>(`${EXPLAIN} EXECUTE ${config.name}(${(config.values ?? []).map(literal).join(', ')})`)
      : await client.query<Explained>(`${EXPLAIN} ${config.text}`, config.values);
    const plan = rows[0]!['QUERY PLAN'][0].Plan;
    const name = config.name ?? /^\/\* (\S+) \*\//.exec(config.text)?.[1] ?? config.text.slice(0, 40);
    statements.push({ name, buffers: plan['Shared Hit Blocks'] + plan['Shared Read Blocks'], plan });
    return result;
  };
  const db = new Proxy(client, { get: (target, key) => (key === 'query' ? query : Reflect.get(target, key)) });
  return { db, statements, buffers: () => statements.reduce((n, s) => n + s.buffers, 0) };
}

/** Every node of a plan tree, depth first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}
