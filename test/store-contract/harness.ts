/**
 * One fresh store per case, for every part of the contract: opened before each case, closed and removed after,
 * with any second store a case opened on the same data.
 */
import type { Store } from '../../src/store/store.js';

/** What an implementation hands the contract for one case. */
export interface OpenedStore {
  store: Store;
  /** A second store on the same data (another process would see it so); absent where there is none (':memory:'). */
  reopen?: () => Promise<Store>;
  /** Closes the store (it may have been closed by the case already) and removes its data. */
  cleanup: () => Promise<void>;
}

export type OpenStore = () => Promise<OpenedStore>;

/** The current case's store, and the means to open a second one. */
export interface Harness {
  readonly store: Store;
  /** Whether reopen() can give a second store on the same data. */
  readonly canReopen: boolean;
  /** A second store on the same data, closed after the case. */
  reopen(): Promise<Store>;
  /**
   * A case for the right behaviour that this implementation is known to get wrong. Its title carries
   * `[deviation: id]`; while listed as known it runs, and shows pending as long as it fails.
   */
  deviation(id: string, title: string, fn: () => Promise<void>): void;
}

/** Registers beforeEach/afterEach that give each case a fresh store from `open`. */
export function useStore(open: OpenStore, known: readonly string[]): Harness {
  let opened: OpenedStore | null = null;
  let extra: Store[] = [];

  beforeEach(async () => {
    opened = await open();
  });
  afterEach(async () => {
    for (const s of extra) await s.close();
    extra = [];
    await opened?.cleanup();
    opened = null;
  });

  return {
    get store() {
      if (!opened) throw new Error('the store is opened per case: use it inside it()');
      return opened.store;
    },
    get canReopen() {
      return opened?.reopen !== undefined;
    },
    async reopen() {
      if (!opened?.reopen) throw new Error('this implementation has no second store on the same data');
      const s = await opened.reopen();
      extra.push(s);
      return s;
    },
    deviation(id, title, fn) {
      const marked = `${title} [deviation: ${id}]`;
      if (!known.includes(id)) {
        it(marked, fn);
        return;
      }
      it(marked, async function () {
        try {
          await fn();
        } catch {
          this.skip(); // known to fail: see the report of the implementation's test file
        }
        throw new Error(`deviation '${id}' no longer fails: remove it from knownDeviations`);
      });
    },
  };
}
