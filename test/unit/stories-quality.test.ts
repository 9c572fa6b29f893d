import { expect } from 'chai';
import { DEFAULT_THRESHOLD } from '../../src/stories/index.js';
import { loadLabelledSet, scoreClustering, sketchesOf } from '../helpers/stories.js';

// A quality floor on the labelled set of test/fixtures/stories/ (bench/stories.ts prints the full table and
// the mistakes): incremental clustering, as the refresh does it, scored on every pair from different sources.
describe('stories/quality: the labelled set', () => {
  const items = loadLabelledSet();
  const sketches = sketchesOf(items);

  it('holds what the issue asks of it', () => {
    const stories = new Map<string, Set<string>>();
    for (const item of items) stories.set(item.story, (stories.get(item.story) ?? new Set()).add(item.source));
    const wire = [...stories.values()].filter((sources) => sources.size >= 2);
    // A same-topic group counts when it holds two stories or more (a trap).
    const storiesOfGroup = new Map<string, Set<string>>();
    for (const item of items) if (item.group !== null) storiesOfGroup.set(item.group, (storiesOfGroup.get(item.group) ?? new Set()).add(item.story));
    const groups = [...storiesOfGroup.values()].filter((s) => s.size >= 2);
    const unrelated = items.filter((i) => i.group === null && stories.get(i.story)!.size === 1);
    expect(wire.length, 'stories told by 2 or more outlets').to.be.at.least(25);
    expect(groups.length, 'same-topic groups').to.be.at.least(15);
    expect(unrelated.length, 'unrelated items').to.be.at.least(60);
  });

  it(`pairwise precision ≥ 0.95 and recall ≥ 0.85 at the default threshold (${DEFAULT_THRESHOLD})`, () => {
    const score = scoreClustering(items, sketches, DEFAULT_THRESHOLD, 72 * 3600_000);
    const mistakes = score.mistakes.map((m) => `${m.kind} ${m.a.id} ~ ${m.b.id} (${m.similarity})`);
    expect(score.tp, 'pairs found').to.be.greaterThan(50);
    expect(score.precision, mistakes.join('\n')).to.be.at.least(0.95);
    expect(score.recall, mistakes.join('\n')).to.be.at.least(0.85);
  });
});
