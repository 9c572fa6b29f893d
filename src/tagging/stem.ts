/**
 * A small, conservative Indonesian stemmer for `stem: 'id'` rules. Without a root-word dictionary an affix
 * stripper cannot know whether "mengirim" comes from "kirim" or "irim", so it returns every plausible root
 * and two words match when their candidate sets share one. It only ever strips whole affixes from the
 * ends of a word, never looks inside it, and keeps roots of at least four letters, so "Rusia" cannot match
 * "Belarusia", and "berusia" (aged) yields "usia", never "rusia".
 * Reduplication ("negara-negara") needs no rule here: the tokenizer already splits it into two words.
 */

const MIN_ROOT = 4;

// Applied in this order, each optionally (Nazief & Adriani's suffix layers).
const PARTICLES = ['lah', 'kah'];
const POSSESSIVES = ['nya', 'ku', 'mu'];
const DERIVATIONAL = ['kan', 'an', 'i'];

const VOWEL = /^[aiueo]/;

/** Every root `word` (already folded) may come from, `word` itself included. */
export function stemCandidates(word: string): string[] {
  const out = new Set<string>([word]);
  for (const bare of stripSuffixes(word)) {
    out.add(bare);
    for (const once of stripPrefix(bare)) {
      out.add(once);
      // A second prefix: di-per-kira-kan, mem-ber-i-kan, pe-ny-erang-an after me-/di-/ter-.
      for (const twice of stripPrefix(once)) out.add(twice);
    }
  }
  return [...out];
}

function stripSuffixes(word: string): string[] {
  let forms = [word];
  for (const layer of [PARTICLES, POSSESSIVES, DERIVATIONAL]) {
    const next = [...forms];
    for (const form of forms) {
      for (const suffix of layer) {
        if (form.endsWith(suffix) && form.length - suffix.length >= MIN_ROOT) next.push(form.slice(0, -suffix.length));
      }
    }
    forms = next;
  }
  return forms;
}

function stripPrefix(word: string): string[] {
  const roots: string[] = [];
  const add = (root: string): void => {
    if (root.length >= MIN_ROOT) roots.push(root);
  };
  const after = (prefix: string): string | null => (word.startsWith(prefix) ? word.slice(prefix.length) : null);

  for (const plain of ['di', 'ter', 'ber', 'per']) {
    const rest = after(plain);
    if (rest !== null) add(rest);
  }
  // meN- and peN- assimilate to the root's first sound: mem-beli, men-dengar, meng-hadiri, and a vowel after
  // the nasal may stand for a dropped p/t/k/s (memukul ← pukul, menulis ← tulis, mengirim ← kirim, menyerang ← serang).
  for (const [me, pe] of [['me', 'pe']] as const) {
    for (const base of [me, pe]) {
      const m = after(base);
      if (m === null) continue;
      if (/^[lrwymn]/.test(m) && (base === 'me' || m[0] !== 'r')) add(m); // melihat, memakan, pelatih; not pe+r (perang)
      if (m.startsWith('m') && /^[bfvp]/.test(m.slice(1))) add(m.slice(1));
      if (m.startsWith('m') && VOWEL.test(m.slice(1))) add('p' + m.slice(1));
      if (m.startsWith('n') && /^[cdjzt]/.test(m.slice(1))) add(m.slice(1));
      if (m.startsWith('n') && VOWEL.test(m.slice(1))) add('t' + m.slice(1));
      if (m.startsWith('ng') && /^[ghk]/.test(m.slice(2))) add(m.slice(2));
      if (m.startsWith('ng') && VOWEL.test(m.slice(2))) {
        add(m.slice(2));
        add('k' + m.slice(2));
      }
      if (m.startsWith('ny') && VOWEL.test(m.slice(2))) add('s' + m.slice(2));
    }
  }
  return roots;
}
