/**
 * The store contract: what every Store (src/store/store.ts) does, written once and run against each
 * implementation (sqlite.test.ts today; a PostgreSQL one later, unchanged). The suite speaks only the Store
 * interface and pure helpers — no SQL, no driver — so whatever passes it can stand behind warta.
 *
 * Another implementation adds a file like sqlite.test.ts: `open` gives each case a fresh, empty store (and a
 * second store on the same data where there can be one). Beyond the interface the suite holds it to one format:
 * the explain text of a tag (src/store/explain-json.ts) reads back byte for byte as written, because re-tagging
 * compares that text to decide whether an explanation changed (a store that re-serializes it, as a jsonb
 * column would, makes every pass rewrite every item).
 */
import { describeChangeToken } from './change-token.js';
import { useStore, type Harness, type OpenStore } from './harness.js';
import { describeItems } from './items.js';
import { describeLifecycle } from './lifecycle.js';
import { describeNodes } from './nodes.js';
import { describePages } from './pages.js';
import { describeQueries } from './queries.js';
import { describeRetag } from './retag.js';
import { describeRetention } from './retention.js';
import { describeSources } from './sources.js';
import { describeStories } from './stories.js';

export type { OpenedStore, OpenStore } from './harness.js';

/** Options of one run of the contract. */
export interface ContractOptions {
  /**
   * Cases this implementation is known to fail, by the id in the case's title (`[deviation: …]`): they run and
   * are reported pending while they fail, and fail once they pass, so the marker goes when the bug does.
   */
  knownDeviations?: readonly string[];
}

/** Registers the whole contract for one implementation; `open` gives a fresh, empty store per case. */
export function describeStoreContract(name: string, open: OpenStore, opts: ContractOptions = {}): void {
  describe(`store contract: ${name}`, function () {
    const h: Harness = useStore(open, opts.knownDeviations ?? []);
    describeSources(h);
    describeItems(h);
    describeQueries(h);
    describeRetention(h);
    describeRetag(h);
    describeChangeToken(h);
    describeNodes(h);
    describeStories(h);
    describeLifecycle(h);
    describePages(h);
  });
}
