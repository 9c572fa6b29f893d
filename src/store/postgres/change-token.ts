/**
 * changeToken() for PostgreSQL: synchronous and cheap (every feed request checks it), though what it tracks
 * lives on a server. The database keeps one counter (change_counter.n) that every write which may change what
 * is published bumps just before it commits. A process knows the value two ways:
 *  - its own writes: the bump returns the new value, and once that transaction commits every lower value is
 *    committed too (the bump takes the row's lock, so bumps are serialized), so the known value jumps to it at
 *    once. This knowledge is shared by every store of the process on the same database (`ChangeBoard`):
 *    its writes are "this process's writes" whichever pool made them.
 *  - other processes' writes: polled, at most once a second, and only while someone asks for the token (the
 *    daemon's render caches; a command or a re-tag worker never polls). So a write by another daemon shows up
 *    here within about a second. Polling was chosen over LISTEN/NOTIFY: it needs no dedicated connection,
 *    loses nothing across reconnects (a listener must re-read the counter after each one anyway) and costs
 *    one indexed read a second.
 * A value lower than the known one, read by a poll no write raced, means the database was restored or
 * recreated: the epoch in the token moves so no cache survives it.
 */

/** What the processes' stores on one database know of its change counter. */
interface Board {
  known: number;
  epoch: number;
  /** Moves whenever `known` does; a poll that started before a move cannot tell a reset from a race. */
  version: number;
  stores: number;
}

/** Per database (URL with its search_path), the counter as this process knows it. */
export class ChangeBoard {
  private readonly boards = new Map<string, Board>();

  /** Joins the board of `database`, starting from a value just read from it. */
  join(database: string, value: number): ChangeBoardEntry {
    let board = this.boards.get(database);
    if (!board) this.boards.set(database, (board = { known: value, epoch: 0, version: 0, stores: 0 }));
    board.stores++;
    if (value > board.known) this.raise(board, value);
    let left = false;
    return {
      token: () => `${board.epoch}.${board.known}`,
      committed: (value) => {
        if (value > board.known) this.raise(board, value);
      },
      startPoll: () => {
        const started = board.version;
        return (value) => {
          if (value > board.known) this.raise(board, value);
          else if (value < board.known && board.version === started) {
            board.epoch++;
            this.raise(board, value);
          }
        };
      },
      leave: () => {
        if (left) return;
        left = true;
        if (--board.stores === 0) this.boards.delete(database);
      },
    };
  }

  private raise(board: Board, value: number): void {
    board.known = value;
    board.version++;
  }
}

/** One store's view of its database's board. */
export interface ChangeBoardEntry {
  token(): string;
  /** A write of this process committed, having set the counter to `value`. */
  committed(value: number): void;
  /** Call as a poll of the counter is sent; call what it returns with the value read. */
  startPoll(): (value: number) => void;
  leave(): void;
}

/**
 * The process's board. Module-level on purpose: the stores of one process share what they wrote (a command's
 * store and the daemon's, or two stores in a test) whichever of them wrote it. Tests that want two stores to
 * behave as two processes give each a board of its own.
 */
export const processChangeBoard = new ChangeBoard();

/** Polls at most every POLL_MS while the token is asked for. */
export const POLL_MS = 1000;
