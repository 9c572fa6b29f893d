/**
 * Every word and stem key the rules of one tagger mention, numbered. Items record where these occur while
 * being tokenized (one Map lookup per token), and both the prefilter and the matchers read those positions,
 * so no per-item string map is built.
 */

/** Word → id and stem key → id, ids shared between the two maps. */
export interface Vocabulary {
  words: Map<string, number>;
  stems: Map<string, number>;
}

/** An empty vocabulary. */
export function makeVocabulary(): Vocabulary {
  return { words: new Map(), stems: new Map() };
}

/** The id of a folded word, adding it if new. */
export function wordId(vocab: Vocabulary, word: string): number {
  return idIn(vocab, vocab.words, word);
}

/** The id of a stem candidate key, adding it if new. */
export function stemId(vocab: Vocabulary, key: string): number {
  return idIn(vocab, vocab.stems, key);
}

function idIn(vocab: Vocabulary, map: Map<string, number>, key: string): number {
  let id = map.get(key);
  if (id === undefined) {
    id = vocab.words.size + vocab.stems.size;
    map.set(key, id);
  }
  return id;
}
