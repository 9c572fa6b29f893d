import { Interner } from './words.js';

/**
 * Every word, stem key and word prefix the rules of one tagger mention, numbered. Items record where these
 * occur while being tokenized (one cached lookup per token, see keysOf), and both the prefilter and the
 * matchers read those positions, so evaluating a rule never scans an item's words.
 */

/** Folded word → its stem candidates (see stem.ts). */
export type StemFn = (word: string) => readonly string[];

/** Word → id, stem key → id and prefix → id; the three maps share one id space. */
export interface Vocabulary {
  words: Map<string, number>;
  stems: Map<string, number>;
  prefixes: Map<string, number>;
}

/** An empty vocabulary. */
export function makeVocabulary(): Vocabulary {
  return { words: new Map(), stems: new Map(), prefixes: new Map() };
}

/** The id of a folded word, adding it if new. */
export function wordId(vocab: Vocabulary, word: string): number {
  return idIn(vocab, vocab.words, word);
}

/** The id of a stem candidate key, adding it if new. */
export function stemId(vocab: Vocabulary, key: string): number {
  return idIn(vocab, vocab.stems, key);
}

/** The id of a word prefix (`belarus*`), adding it if new. */
export function prefixId(vocab: Vocabulary, prefix: string): number {
  return idIn(vocab, vocab.prefixes, prefix);
}

function idIn(vocab: Vocabulary, map: Map<string, number>, key: string): number {
  let id = map.get(key);
  if (id === undefined) {
    id = vocab.words.size + vocab.stems.size + vocab.prefixes.size;
    map.set(key, id);
  }
  return id;
}

/**
 * What indexing records of one distinct item word: its own vocabulary id (-1 when no rule names it) and
 * the ids whose positions evaluation or the prefilter reads: its own, its stem keys', and those of the
 * prefixes it starts with.
 */
export interface KeyedWord {
  id: number;
  keys: readonly number[];
}

/** Item words with their KeyedWord. */
export type KeyedWords = Interner<KeyedWord>;

const NO_KEYS: readonly number[] = Object.freeze([]);

/**
 * The lookup indexing does for every token, kept per distinct word (words.ts: Interner): news vocabulary is
 * small and repetitive, so after warm-up a token costs a probe of the interner's table however many stems
 * and prefixes the rules use (probing every prefix length of every token was a tenth of tag() with a few
 * hundred `word*` rules). Only ids in `wanted` are kept as keys. Call it once the vocabulary is complete;
 * `stem` is null when no rule stems.
 */
export function makeKeyedWords(vocab: Vocabulary, stem: StemFn | null, wanted: ReadonlySet<number>): KeyedWords {
  const prefixLengths = [...new Set([...vocab.prefixes.keys()].map((p) => p.length))].sort((a, b) => a - b);
  const stems = stem !== null && vocab.stems.size > 0 ? stem : null;
  return new Interner((word: string): KeyedWord => {
    let keys: number[] | null = null;
    const add = (id: number | undefined): void => {
      if (id !== undefined && wanted.has(id)) (keys ??= []).push(id);
    };
    const id = vocab.words.get(word);
    add(id);
    // Stem keys of one word are distinct, so each id is added at most once.
    if (stems !== null) for (const key of stems(word)) add(vocab.stems.get(key));
    for (const len of prefixLengths) {
      if (len > word.length) break;
      add(vocab.prefixes.get(word.slice(0, len)));
    }
    return { id: id ?? -1, keys: keys ?? NO_KEYS };
  });
}
