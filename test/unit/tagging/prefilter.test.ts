import { expect } from 'chai';
import { compileTagger, parseQuery, type ItemText, type TagRule } from '../../../src/tagging/index.js';
import { compileQuery } from '../../../src/tagging/matcher.js';
import { evaluate } from '../../../src/tagging/evaluate.js';
import { indexItem } from '../../../src/tagging/item-index.js';
import { makeKeyedWords, makeVocabulary } from '../../../src/tagging/vocabulary.js';
import { buildPrefilter, candidateRules, ruleAnchors } from '../../../src/tagging/prefilter.js';
import { stemCandidates } from '../../../src/tagging/stem.js';
import { FIELD_BIT } from '../../../src/tagging/fields.js';

// The prefilter may only skip rules that cannot match: tag() must equal evaluating every rule on every
// item. Random rules and items over a small vocabulary make matches, near misses and negations common.
describe('tagging/prefilter: skipping rules never changes the result', () => {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const WORDS = ['rusia', 'belarus', 'belarusia', 'minsk', 'putin', 'serang', 'serangan', 'diserang', 'perang', 'opini', 'di', 'dan'];
  const term = (): string => {
    const w = pick(WORDS);
    const r = random();
    if (r < 0.15) return `${w.slice(0, 3)}*`;
    if (r < 0.3) return `"${w} ${pick(WORDS)}"`;
    if (r < 0.4) return `${pick(['title', 'summary', 'category', 'link'])}:${w}`;
    return w;
  };
  const query = (depth: number): string => {
    if (depth === 0) return term();
    const r = random();
    if (r < 0.3) return `(${query(depth - 1)} OR ${query(depth - 1)})`;
    if (r < 0.6) return `(${query(depth - 1)} AND ${query(depth - 1)})`;
    if (r < 0.7) return `NOT ${query(depth - 1)}`;
    if (r < 0.8) return `${term()} NEAR/${Math.floor(random() * 3)} ${term()}`;
    if (r < 0.85) return `title:/${pick(WORDS)}$/i`;
    return query(depth - 1);
  };
  const sentence = (): string => Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(WORDS)).join(' ');
  const randomItem = (): ItemText => ({
    title: sentence(),
    summary: random() < 0.7 ? `<p>${sentence()}</p>` : null,
    content: random() < 0.3 ? `<div>${sentence()}</div>` : null,
    categories: random() < 0.5 ? [sentence()] : [],
    link: `https://x.id/${sentence().replace(/ /g, '-')}`,
  });

  const rules: TagRule[] = Array.from({ length: 300 }, (_, i) => ({
    name: `r${i}`,
    match: query(1 + Math.floor(random() * 3)),
    ...(random() < 0.3 ? { stem: 'id' as const } : {}),
    ...(random() < 0.1 ? { aliases: [sentence()] } : {}),
  }));
  const items = Array.from({ length: 400 }, randomItem);

  // Every rule compiled and evaluated directly, without the prefilter.
  const vocab = makeVocabulary();
  const compiled = rules.map((rule) => {
    const ctx = { vocab, stem: rule.stem === 'id' ? stemCandidates : null };
    const alternatives = [compileQuery(parseQuery(rule.match), ctx)];
    for (const alias of rule.aliases ?? []) alternatives.push(compileQuery(parseQuery(`"${alias}"`), ctx));
    return { name: rule.name, alternatives };
  });
  // Every key recorded: the brute force must not depend on the tagger's choice of which positions to keep.
  const keyed = makeKeyedWords(vocab, stemCandidates, new Set([...vocab.words.values(), ...vocab.stems.values(), ...vocab.prefixes.values()]));
  const bruteForce = (it_: ItemText): string[] => {
    const idx = indexItem(it_, 0xff & ~FIELD_BIT.source, keyed);
    return compiled.filter((r) => r.alternatives.some((m) => evaluate(m, idx))).map((r) => r.name);
  };

  it('on 400 random items × 300 random rules', () => {
    const tagger = compileTagger(rules);
    let tagged = 0;
    for (const it_ of items) {
      const expected = bruteForce(it_);
      tagged += expected.length;
      expect(tagger.tag(it_), JSON.stringify(it_)).to.deep.equal(expected);
    }
    // The comparison means little unless both outcomes are common.
    expect(tagged).to.be.greaterThan(items.length);
    expect(tagged).to.be.lessThan(items.length * rules.length * 0.5);
  });
});

describe('tagging/prefilter: a rule is a candidate only when every anchor kept for it occurs', () => {
  // `(A OR B) AND (C OR D)` keeps both groups: an article naming only Russia never evaluates the rule.
  const vocab = makeVocabulary();
  const ctx = { vocab, stem: null };
  const queries = ['(rusia OR moskow) AND (belarus* OR minsk)', '"hubungan rusia"', 'rusia OR NOT minsk', 'putin NEAR/3 lukashenko'];
  const matchers = queries.map((q) => compileQuery(parseQuery(q), ctx));
  const pf = buildPrefilter(matchers.map((m) => ruleAnchors([m])));
  const keyed = makeKeyedWords(vocab, null, new Set(pf.byId.flatMap((pairs, id) => (pairs ? [id] : []))));
  const candidates = (title: string): number[] => {
    const n = candidateRules(pf, indexItem({ title, summary: null, content: null, categories: [] }, FIELD_BIT.title, keyed));
    return [...pf.found.subarray(0, n)].sort((a, b) => a - b);
  };
  const cases: [string, number[]][] = [
    ['Rusia kirim bantuan', [2]],
    ['Minsk menolak', [2]],
    ['Rusia dan Belarusia', [0, 2]],
    ['Belarusia menolak', [2]],
    ['Moskow kirim utusan ke Minsk', [0, 2]],
    ['hubungan baru, Rusia', [1, 2]],
    ['Putin bertemu Lukashenko', [2, 3]],
    ['Lukashenko saja', [2]],
  ];
  for (const [title, expected] of cases) {
    it(`${title} → rules ${expected.join(', ')}`, () => expect(candidates(title)).to.deep.equal(expected));
  }
});
