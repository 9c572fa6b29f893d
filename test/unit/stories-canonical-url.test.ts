import { expect } from 'chai';
import { canonicalUrl, stripTracking } from '../../src/stories/index.js';

describe('stories/canonical-url: one spelling per article', () => {
  const cases: [string, string, string | null][] = [
    // Generic rules, for any host.
    ['utm_* removed, other parameters kept and sorted', 'https://example.com/a?utm_source=fb&utm_medium=social&id=7&b=2', 'https://example.com/a?b=2&id=7'],
    ['click ids removed', 'https://example.com/a?fbclid=IwAR0x&gclid=Cj0&dclid=x&yclid=1&igshid=abc', 'https://example.com/a'],
    ['Mailchimp and Google Analytics ids removed', 'https://example.com/a?mc_cid=1&mc_eid=2&_ga=2.1', 'https://example.com/a'],
    ['tracking names are case-insensitive', 'https://example.com/a?UTM_Source=x&FBCLID=y&p=1', 'https://example.com/a?p=1'],
    ['fragment dropped', 'https://example.com/berita/123#komentar', 'https://example.com/berita/123'],
    ['a bare ? dropped', 'https://example.com/berita/123?', 'https://example.com/berita/123'],
    ['a bare ? before a fragment dropped', 'https://example.com/berita/123?#komentar', 'https://example.com/berita/123'],
    ['a query left empty by tracking dropped', 'https://example.com/a?utm_source=x#y', 'https://example.com/a'],
    ['host lower-cased, scheme too', 'HTTPS://WWW.Example.COM/Berita/Judul', 'https://www.example.com/Berita/Judul'],
    ['default https port removed', 'https://example.com:443/a', 'https://example.com/a'],
    ['default http port removed', 'http://example.com:80/a', 'http://example.com/a'],
    ['other ports kept', 'http://example.com:8080/a', 'http://example.com:8080/a'],
    ['trailing index.html removed', 'https://example.com/2024/12/index.html', 'https://example.com/2024/12/'],
    ['trailing dot of the host removed', 'https://example.com./a', 'https://example.com/a'],
    ['nothing guessed for unknown hosts: m. kept', 'https://m.example.com/news/1', 'https://m.example.com/news/1'],
    ['nothing guessed for unknown hosts: /amp kept', 'https://example.com/news/1/amp', 'https://example.com/news/1/amp'],
    ['nothing guessed for unknown hosts: ?amp=1 kept', 'https://example.com/news/1?amp=1', 'https://example.com/news/1?amp=1'],
    // Known outlets.
    ['detik mobile host → section host', 'https://m.detik.com/news/berita/d-7671234/putin-bertemu-lukashenko', 'https://news.detik.com/berita/d-7671234/putin-bertemu-lukashenko'],
    ['detik /amp suffix', 'https://news.detik.com/berita/d-7671234/putin-bertemu-lukashenko/amp', 'https://news.detik.com/berita/d-7671234/putin-bertemu-lukashenko'],
    ['detik mobile section host m.news', 'https://m.news.detik.com/berita/d-1/x', 'https://news.detik.com/berita/d-1/x'],
    ['kompas amp host → section host', 'https://amp.kompas.com/nasional/read/2024/12/06/14100001/putin-dan-lukashenko', 'https://nasional.kompas.com/read/2024/12/06/14100001/putin-dan-lukashenko'],
    ['kompas ?amp=1 and tracking', 'https://nasional.kompas.com/read/2024/12/06/1/x?amp=1&utm_source=twitter', 'https://nasional.kompas.com/read/2024/12/06/1/x'],
    ['liputan6 mobile host', 'https://m.liputan6.com/news/read/5812345/gempa-garut', 'https://www.liputan6.com/news/read/5812345/gempa-garut'],
    ['tribunnews /amp/ first segment', 'https://www.tribunnews.com/amp/nasional/2024/12/05/persib-tekuk-persija', 'https://www.tribunnews.com/nasional/2024/12/05/persib-tekuk-persija'],
    ['tribunnews mobile host', 'https://m.tribunnews.com/nasional/2024/12/05/x', 'https://www.tribunnews.com/nasional/2024/12/05/x'],
    ['cnnindonesia /amp suffix', 'https://www.cnnindonesia.com/internasional/20241206150200-134-1174000/rusia-beri-payung-nuklir/amp', 'https://www.cnnindonesia.com/internasional/20241206150200-134-1174000/rusia-beri-payung-nuklir'],
    ['okezone mobile host', 'https://m.okezone.com/read/2024/12/05/1/x', 'https://www.okezone.com/read/2024/12/05/1/x'],
    ['antaranews amp path and mobile host', 'https://m.antaranews.com/amp/berita/4512345/rusia-dan-belarus', 'https://www.antaranews.com/berita/4512345/rusia-dan-belarus'],
    ['tempo bare domain → www', 'https://tempo.co/read/1950000/x', 'https://www.tempo.co/read/1950000/x'],
    ['republika mobile host', 'https://m.republika.co.id/berita/snabc123/x', 'https://www.republika.co.id/berita/snabc123/x'],
    ['viva amp segment', 'https://www.viva.co.id/amp/berita/dunia/1780000-x', 'https://www.viva.co.id/berita/dunia/1780000-x'],
    ['suara mobile host', 'https://m.suara.com/news/2024/12/04/x', 'https://www.suara.com/news/2024/12/04/x'],
    ['sindonews trailing /amp/', 'https://nasional.sindonews.com/read/1500000/13/x/amp/', 'https://nasional.sindonews.com/read/1500000/13/x'],
    ['kumparan lives on the bare domain', 'https://m.kumparan.com/kumparannews/x-23abc', 'https://kumparan.com/kumparannews/x-23abc'],
    ['bbc .amp suffix', 'https://www.bbc.com/indonesia/articles/c0k4x7z1m2go.amp', 'https://www.bbc.com/indonesia/articles/c0k4x7z1m2go'],
    ['look-alike domains are not outlets', 'https://m.notdetik.com/news/x/amp', 'https://m.notdetik.com/news/x/amp'],
    // Garbage in, null out.
    ['javascript: URL', 'javascript:alert(1)', null],
    ['mailto: URL', 'mailto:redaksi@example.com', null],
    ['relative link', '/berita/123', null],
    ['empty', '', null],
    ['spaces only', '   ', null],
    ['not a URL', 'Putin bertemu Lukashenko', null],
    ['ftp', 'ftp://example.com/a', null],
  ];
  for (const [name, link, expected] of cases) {
    it(name, () => expect(canonicalUrl(link)).to.equal(expected));
  }

  it('drops the configured parameters too', () => {
    expect(canonicalUrl('https://example.com/a?ref=home&src=rss&id=1', { ignoreParams: ['ref', 'SRC'] })).to.equal('https://example.com/a?id=1');
  });

  it('never throws on hostile input', () => {
    for (const bad of ['http://', 'https://[::1', 'http://%zz', 'x'.repeat(20_000), '\u0000http://a', null as unknown as string, 42 as unknown as string]) {
      expect(() => canonicalUrl(bad)).not.to.throw();
      expect(() => stripTracking(bad)).not.to.throw();
    }
    expect(canonicalUrl(null as unknown as string)).to.equal(null);
  });

  it('makes the aggregator relay, the mobile link and the outlet link one URL', () => {
    const spellings = [
      'https://nasional.kompas.com/read/2024/12/06/14100001/putin-dan-lukashenko',
      'https://amp.kompas.com/nasional/read/2024/12/06/14100001/putin-dan-lukashenko?utm_source=Whatsapp&utm_medium=share',
      'https://NASIONAL.KOMPAS.COM:443/read/2024/12/06/14100001/putin-dan-lukashenko?amp=1#read-more',
      'https://nasional.kompas.com/read/2024/12/06/14100001/putin-dan-lukashenko?fbclid=IwAR3xyz',
    ];
    expect(new Set(spellings.map((s) => canonicalUrl(s))).size).to.equal(1);
  });
});

describe('stories/canonical-url: stripTracking for published links', () => {
  const cases: [string, string, string | null][] = [
    ['removes tracking, keeps everything else as published', 'https://m.detik.com/news/x/amp?utm_source=fb&page=2#top', 'https://m.detik.com/news/x/amp?page=2#top'],
    ['keeps parameter order', 'https://example.com/a?z=1&utm_campaign=x&a=2', 'https://example.com/a?z=1&a=2'],
    ['drops an empty query', 'https://example.com/a?fbclid=1', 'https://example.com/a'],
    ['untouched link', 'https://example.com/a?b=1', 'https://example.com/a?b=1'],
    ['garbage', 'data:text/html,hi', null],
  ];
  for (const [name, link, expected] of cases) {
    it(name, () => expect(stripTracking(link)).to.equal(expected));
  }
});
