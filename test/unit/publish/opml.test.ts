import { expect } from 'chai';
import { OPML_CONTENT_TYPE, renderOpml } from '../../../src/publish/index.js';
import { checkOpml } from './feed-rules.js';
import { NOW } from './fixtures.js';
import { child, childrenNamed, parseXml, textOf } from './strict-xml.js';

const outlines = (doc: string) => childrenNamed(child(parseXml(doc), 'body')!, 'outline').map((o) => o.attrs);

describe('publish/renderOpml', () => {
  const entries = [
    { title: 'AI — "news" 😀 \u0001', xmlUrl: 'https://news.example/feeds/ai.rss', htmlUrl: 'https://news.example/', type: 'rss' as const },
    { title: 'Rust & Go', xmlUrl: 'https://news.example/feeds/rust.atom', htmlUrl: 'https://news.example/', type: 'atom' as const },
  ];

  it('passes the validator rules (opml.py)', () => {
    expect(checkOpml(renderOpml('warta <feeds>', entries, NOW).replace('&#x3C;feeds&#x3E;', 'feeds'), NOW)).to.deep.equal([]);
    expect(checkOpml(renderOpml('warta', entries, NOW), NOW)).to.deep.equal([]);
  });

  it('writes version 2.0, title, dateCreated and one rss outline per feed, in order', () => {
    const doc = renderOpml('warta', entries, NOW);
    const root = parseXml(doc);
    expect(root.attrs.version).to.equal('2.0');
    expect(textOf(child(child(root, 'head')!, 'title'))).to.equal('warta');
    expect(textOf(child(child(root, 'head')!, 'dateCreated'))).to.equal('Sat, 01 Jun 2024 12:00:00 GMT');
    expect(outlines(doc)).to.deep.equal([
      { type: 'rss', text: 'AI — "news" 😀', title: 'AI — "news" 😀', xmlUrl: entries[0]!.xmlUrl, htmlUrl: entries[0]!.htmlUrl },
      { type: 'rss', text: 'Rust & Go', title: 'Rust & Go', xmlUrl: entries[1]!.xmlUrl, htmlUrl: entries[1]!.htmlUrl },
    ]);
  });

  it('with no feeds, still has one (plain) outline', () => {
    const doc = renderOpml('warta', [], NOW);
    expect(outlines(doc)).to.deep.equal([{ text: 'No feeds' }]);
    expect(checkOpml(doc, NOW)).to.deep.equal([]);
  });

  it('leaves out feeds whose URL cannot be published', () => {
    const doc = renderOpml('warta', [{ title: 'x', xmlUrl: 'javascript:alert(1)', htmlUrl: '', type: 'rss' }, entries[0]!], NOW);
    expect(outlines(doc).map((o) => o.xmlUrl)).to.deep.equal([entries[0]!.xmlUrl]);
  });

  it('known limit: a title like "Q&A" stays plain text, which the validator parses as HTML (NotHtml)', () => {
    const doc = renderOpml('warta', [{ ...entries[0]!, title: 'Q&A' }], NOW);
    expect(outlines(doc)[0]!.text).to.equal('Q&A');
    expect(checkOpml(doc, NOW).join('\n')).to.match(/safeHtml/);
  });

  it('is deterministic and has its media type', () => {
    expect(renderOpml('warta', entries, NOW)).to.equal(renderOpml('warta', entries, NOW));
    expect(OPML_CONTENT_TYPE).to.equal('text/x-opml; charset=utf-8');
  });
});
