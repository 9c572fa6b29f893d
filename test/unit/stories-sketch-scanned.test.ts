/**
 * The sketch from tagging's reading of an item (issue 13, ingest cost): at ingest the story stage reuses the
 * words classifying read (ScannedText) instead of converting and splitting the text again. Whatever the text,
 * that must give exactly the sketch read from the text alone (SKETCH_VERSION is unchanged: stored sketches are
 * compared with new ones). Real titles, leads and articles from the labelled set and the article pages; long
 * articles cut at MAX_TEXT with every kind of word across the cut.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { htmlToText } from '../../src/base/html-text.js';
import { encodeSketch, sketchOf, type StoryText } from '../../src/stories/index.js';
import { makeClassifier, type ClassifiableItem } from '../../src/tagging/classify.js';
import type { ScannedText } from '../../src/tagging/types.js';
import { loadLabelledSet, STORIES_DIR } from '../helpers/stories.js';

const PAGES = fileURLToPath(new URL('../fixtures/pages/', import.meta.url));
const MAX_TEXT = 4000; // sketch.ts: the start of an article a sketch reads

// The tag rules of the ingest benchmarks, and a config with an output query: what ingest classifies with.
const classifier = makeClassifier({
  tags: [
    { name: 'Hubungan Rusia dengan Belarusia', match: '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)', aliases: [], stem: null },
    { name: 'Pangan', match: 'harga NEAR/3 (beras OR cabai)', aliases: ['bahan pokok'], stem: 'id' },
  ],
  sources: [{ id: 'kompas', tags: [], fromCategories: null }],
  outputs: [{ id: 'bola', match: 'title:(persib OR persija)' }],
});

function scannedBy(text: StoryText): ScannedText | undefined {
  let scanned: ScannedText | undefined;
  const item: ClassifiableItem = { ...text, categories: ['Dunia'], author: null, link: null };
  classifier.classify(item, 'kompas', (words) => (scanned = words));
  return scanned;
}

const pageHtml = (name: string) => readFileSync(join(PAGES, name), 'utf8');
const pages = readdirSync(PAGES).filter((f) => f.endsWith('.html')).sort();
const pageTexts = readdirSync(PAGES).filter((f) => f.endsWith('.txt')).sort().map(pageHtml).filter((t) => t !== '');
const labelled = [...loadLabelledSet(), ...loadLabelledSet(join(STORIES_DIR, 'holdout'))];

// A long article from the pages' texts: paragraphs of real text, its plain text well past MAX_TEXT.
const longText = pageTexts.join('\n\n');
const paragraphs = (text: string) => text.split(/\n\n+/).map((p) => `<p>${p}</p>`).join('\n');
// The same text on one line, as htmlToText gives it back: a word put at offset k of it is at k of the plain text.
const flat = longText.replace(/\s+/g, ' ');

// Words that read otherwise when cut: an apostrophe inside, diacritics, a soft hyphen, a combining mark, a letter
// outside the BMP (a surrogate pair), digits; the cut is moved across each by shifting the text before it.
const ACROSS_THE_CUT = ["Jum'at", 'Jum’at', 'Lukašenko', 'Ru\u00adsia', 'Pe\u0301rez', '𝐏utin', 'JAKARTA', '2024', 'Rp13.500'];

function cases(): [string, StoryText][] {
  const out: [string, StoryText][] = [];
  for (const it of labelled) out.push([`labelled ${it.id}`, { title: it.title, summary: it.summary, content: it.content }]);
  for (const page of pages) out.push([`article page ${page}`, { title: labelled[0]!.title, summary: labelled[1]!.summary, content: pageHtml(page) }]);
  // Past MAX_TEXT of plain text: each of the first words past the cut in turn stands across it.
  expect(longText.length).to.be.greaterThan(MAX_TEXT + 200);
  for (let shift = 0; shift < 60; shift++) {
    out.push([`long article shifted by ${shift}`, { title: labelled[2]!.title, summary: null, content: paragraphs(longText.slice(shift)) }]);
  }
  // The HTML itself past MAX_TEXT * 4: the sketch converts only its start (read apart, the same sketch).
  out.push(['every article page in one', { title: labelled[3]!.title, summary: labelled[3]!.summary, content: pages.map(pageHtml).join('') }]);
  for (const word of ACROSS_THE_CUT) {
    for (let back = -2; back <= word.length + 1; back++) {
      const at = MAX_TEXT - back;
      // The word starts at `at` of the plain text (a space before it would fold into the one the text ends with).
      const text = `${flat.slice(0, at - 1).replace(/ $/, ',')} ${word} ${flat.slice(at, at + 400)}`;
      expect(htmlToText(`<div>${text}</div>`).indexOf(word, at - 1), word).to.equal(at);
      out.push([`"${word}" at ${back} before the cut`, { title: labelled[4]!.title, summary: labelled[4]!.summary, content: `<div>${text}</div>` }]);
    }
  }
  // The same, where the word across the cut still counts: before it a lead and a table of figures (digits are
  // neither terms nor names), so the signature's 200 words and the 12 names are not yet full at the cut.
  const lead = labelled[8]!.summary!;
  const table = Array.from({ length: 600 }, (_, i) => `${1_000_000 + i * 7_331} / ${i % 10},${i % 7}`).join(' - ');
  for (const word of ACROSS_THE_CUT) {
    for (let back = -2; back <= word.length + 1; back++) {
      const at = MAX_TEXT - back;
      const before = `${lead} ${table}`.slice(0, at - 1).replace(/ $/, ',');
      const text = `${before} ${word} bertemu Presiden Belarus Alexander Lukashenko di Minsk.`;
      expect(htmlToText(`<p>${text}</p>`).indexOf(word, at - 1), word).to.equal(at);
      out.push([`"${word}" at ${back} before the cut, after a table`, { title: labelled[8]!.title, summary: null, content: `<p>${text}</p>` }]);
    }
  }
  // HTML past MAX_TEXT * 4 that converts otherwise whole than cut: an escaped entity near the end makes htmlToText
  // read the whole text twice, and "<Rp" (written "&lt;Rp") then starts a tag.
  const tail = '<p>Sumber: &amp;quot;Reuters&amp;quot;</p>';
  out.push(['HTML past the cut that converts otherwise whole', { title: labelled[9]!.title, summary: null, content: `<p>Kurs rupiah &lt;Rp16.000 per dolar AS pada Jumat.</p>${pages.map(pageHtml).join('')}${tail}` }]);
  // Titles tagging reads as they are and the sketch as HTML: entities and markup a feed left in them.
  for (const title of ['Harga Beras &amp; Cabai Naik', '&lt;b&gt;Persib&lt;/b&gt; Tekuk Persija 3-1', 'Putin <i>bertemu</i> Lukashenko', '  Banjir   Jakarta  ', 'AT&T dan Telkom', '']) {
    out.push([`title ${JSON.stringify(title)}`, { title, summary: labelled[5]!.summary, content: null }]);
  }
  out.push(['a summary of markup only', { title: labelled[6]!.title, summary: '<img src="https://berita.example/a.jpg">', content: '<p></p>' }]);
  out.push(['empty fields', { title: labelled[7]!.title, summary: '', content: null }]);
  return out;
}

describe('stories/sketch: the sketch from tagging\'s reading of the item is the sketch from its text', () => {
  for (const [name, text] of cases()) {
    it(name, () => {
      const scanned = scannedBy(text);
      expect(scanned, 'classifying read the item').to.not.equal(undefined);
      const own = sketchOf(text);
      const shared = sketchOf(text, scanned);
      expect(shared).to.deep.equal(own);
      expect(encodeSketch(shared)).to.equal(encodeSketch(own));
    });
  }

  it('a reading of another item is not used', () => {
    const [a, b] = [labelled[0]!, labelled[1]!];
    const text = { title: a.title, summary: a.summary, content: a.content };
    expect(sketchOf(text, scannedBy({ title: b.title, summary: b.summary, content: b.content }))).to.deep.equal(sketchOf(text));
  });

  it('with no tag rules nothing is read, and the sketch reads the text itself', () => {
    const none = makeClassifier({ tags: [], sources: [], outputs: [] });
    let called = false;
    none.classify({ title: labelled[0]!.title, summary: labelled[0]!.summary, content: null, categories: [], author: null, link: null }, 's', () => (called = true));
    expect(called).to.equal(false);
  });
});
