import { expect } from 'chai';
import { Counter, Registry } from 'prom-client';
import { CounterFamily } from '../../../src/base/counter-family.js';
import { makeMetrics } from '../../../src/base/metrics.js';

type Incs = [Record<string, string>, number?][];

/** What prom-client's Registry writes for a Counter counted the same way (the text a scraper saw before). */
async function promClientText(name: string, help: string, labelNames: string[], incs: Incs): Promise<string> {
  const registry = new Registry();
  const c = new Counter({ name, help, labelNames, registers: [registry] });
  for (const [labels, n] of incs) c.inc(labels, n);
  return registry.metrics();
}

describe('metrics: CounterFamily writes what prom-client writes', () => {
  const cases: { what: string; labelNames: string[]; incs: Incs; help?: string }[] = [
    { what: 'no series counted yet', labelNames: ['source'], incs: [] },
    { what: 'one label, summed per value, in first-counted order', labelNames: ['source'], incs: [[{ source: 'tempo' }, 2048], [{ source: 'antara' }], [{ source: 'tempo' }, 10]] },
    { what: 'three labels in labelNames order', labelNames: ['source', 'host', 'outcome'], incs: [[{ source: 'a', host: 'a.com', outcome: 'updated' }], [{ source: 'a', host: 'a.com', outcome: 'not_modified' }], [{ source: 'a', host: 'a.com', outcome: 'updated' }]] },
    { what: 'quotes, backslashes and newlines in label values', labelNames: ['source', 'code'], incs: [[{ source: 'He said "hi"\\\n', code: 'x' }], [{ source: '\\"', code: '\n\n' }, 3], [{ source: 'back\\slash', code: 'q"' }]] },
    { what: 'non-ASCII label values', labelNames: ['source'], incs: [[{ source: 'Hubungan Rusia — Беларусь 日本' }, 7]] },
    { what: 'values that differ only across labels', labelNames: ['source', 'code'], incs: [[{ source: 'ab', code: 'c' }], [{ source: 'a', code: 'bc' }, 2]] },
    { what: 'fractional and large sums', labelNames: ['source'], incs: [[{ source: 's' }, 0.1], [{ source: 's' }, 0.2], [{ source: 'big' }, 2 ** 53], [{ source: 'big' }, 1e21]] },
    { what: 'a zero increment still makes the series', labelNames: ['source'], incs: [[{ source: 'z' }, 0]] },
    { what: 'HELP text with a backslash and a newline', labelNames: ['source'], incs: [[{ source: 's' }]], help: 'line one\nback\\slash "quoted"' },
  ];
  for (const { what, labelNames, incs, help = 'Some help.' } of cases) {
    it(what, async () => {
      const family = new CounterFamily('warta_thing_total', help, labelNames);
      for (const [labels, n] of incs) family.inc(labels, n);
      expect(`${family.render()}\n`).to.equal(await promClientText('warta_thing_total', help, labelNames, incs));
    });
  }

  it('refuses a negative or non-finite increment, as prom-client does', () => {
    const family = new CounterFamily('warta_thing_total', 'h', ['source']);
    expect(() => family.inc({ source: 's' }, -1)).to.throw(/decrease/);
    expect(() => family.inc({ source: 's' }, Infinity)).to.throw(TypeError);
    expect(family.render()).to.equal('# HELP warta_thing_total h\n# TYPE warta_thing_total counter');
  });

  it('sums by one label', () => {
    const family = new CounterFamily('warta_pages_total', 'h', ['source', 'outcome']);
    family.inc({ source: 'a', outcome: 'done' }, 2);
    family.inc({ source: 'b', outcome: 'done' });
    family.inc({ source: 'b', outcome: 'retry' });
    expect([...family.sumBy('outcome')]).to.deep.equal([['done', 3], ['retry', 1]]);
  });

  it("makeMetrics' /metrics text has each per-source family as prom-client would write it, apart by a blank line", async () => {
    const m = makeMetrics();
    m.fetches.inc({ source: 'a"\\\n', host: 'a.com', outcome: 'updated' });
    m.fetchBytes.inc({ source: 'a"\\\n' }, 2048);
    m.itemsNew.inc({ source: 'b' }, 7);
    const { body } = await m.render();
    expect(body.endsWith('\n') && !body.endsWith('\n\n')).to.equal(true);
    const families = body.slice(0, -1).split('\n\n');
    expect(families).to.include((await promClientText('warta_fetches_total', 'Source refreshes by outcome (updated, not_modified, failed, skipped, aborted).', ['source', 'host', 'outcome'], [[{ source: 'a"\\\n', host: 'a.com', outcome: 'updated' }]])).slice(0, -1));
    expect(families).to.include((await promClientText('warta_fetch_bytes_total', 'Decoded feed bytes received.', ['source'], [[{ source: 'a"\\\n' }, 2048]])).slice(0, -1));
    expect(families).to.include((await promClientText('warta_items_new_total', 'Items stored for the first time.', ['source'], [[{ source: 'b' }, 7]])).slice(0, -1));
    expect(families).to.include((await promClientText('warta_items_updated_total', 'Stored items whose content changed.', ['source'], [])).slice(0, -1));
    // Every family once: none both in prom-client's registry and warta's.
    const names = families.map((f) => /^# HELP (\S+)/.exec(f)?.[1]);
    expect(new Set(names).size).to.equal(names.length);
  });
});
