/** The error a malformed tag query raises, with the position an admin needs to fix it. */
import { WartaError } from '../base/errors.js';

/** A query that cannot be parsed; `offset` (0-based, UTF-16) and `column` (1-based, characters) point into `query`. */
export class QuerySyntaxError extends WartaError {
  readonly column: number;
  readonly offset: number;
  /** The query text the position refers to. */
  readonly query: string;
  /** What is wrong, without position or tag (e.g. "unterminated quote"). */
  readonly detail: string;
  /** The tag whose rule holds the query, when known. */
  readonly tag: string | undefined;

  constructor(detail: string, query: string, offset: number, options?: { tag?: string; cause?: unknown }) {
    // Columns count code points, as editors do, so an emoji earlier in the line does not shift them.
    const column = [...query.slice(0, offset)].length + 1;
    const where = options?.tag === undefined ? 'query' : `tag "${options.tag}"`;
    super('query_syntax', `${where}: ${detail} at column ${column} in ${JSON.stringify(query)}`, { cause: options?.cause });
    this.name = 'QuerySyntaxError';
    this.column = column;
    this.offset = offset;
    this.query = query;
    this.detail = detail;
    this.tag = options?.tag;
  }
}
