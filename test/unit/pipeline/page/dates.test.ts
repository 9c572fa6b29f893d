import { expect } from 'chai';
import { choosePublished, findPublished, parseDateLine, readDateLine } from '../../../../src/pipeline/page/dates.js';
import { parsePage, readJsonLd } from '../../../../src/pipeline/page/dom.js';

describe('pipeline/page: parseDateLine (visible Indonesian date lines)', () => {
  // [the line as pages print it, the instant in UTC (null: no date in it)]
  const cases: [line: string, utc: string | null][] = [
    // Jurnas: numeric date, "Jum'at" with an apostrophe
    ["Jum'at, 08/11/2024 04:40 WIB", '2024-11-07T21:40:00.000Z'],
    ['Jurnas.com | Jum\'at, 08/11/2024 04:40 WIB', '2024-11-07T21:40:00.000Z'],
    ['Jumat, 08/11/2024 04:40 WIB', '2024-11-07T21:40:00.000Z'],
    // detik
    ['Jumat, 08 Nov 2024 10:15 WIB', '2024-11-08T03:15:00.000Z'],
    ['Yuga Hassani - detikJabar Jumat, 08 Nov 2024 10:15 WIB', '2024-11-08T03:15:00.000Z'],
    ['Senin, 02 Des 2024 19:05 WIB', '2024-12-02T12:05:00.000Z'],
    // ANTARA
    ['Senin, 11 November 2024 14:05 WIB', '2024-11-11T07:05:00.000Z'],
    ['Rabu, 14 Agustus 2024 08:30 WIB', '2024-08-14T01:30:00.000Z'],
    // Liputan6
    ['Diterbitkan 12 Nov 2024, 09:30 WIB', '2024-11-12T02:30:00.000Z'],
    ['Diperbarui 12 Nov 2024, 11:02 WIB', '2024-11-12T04:02:00.000Z'],
    ['12 Nov 2024, 09:30 WIB', '2024-11-12T02:30:00.000Z'],
    // Tempo: "|" and a dotted time
    ['Rabu, 13 November 2024 | 19.20 WIB', '2024-11-13T12:20:00.000Z'],
    ['13 November 2024 | 19.20 WIB', '2024-11-13T12:20:00.000Z'],
    // Republika: no comma after the day
    ['Kamis 14 Nov 2024 06:45 WIB', '2024-11-13T23:45:00.000Z'],
    ['Red: Fitriyan Zamzami Kamis 14 Nov 2024 06:45 WIB', '2024-11-13T23:45:00.000Z'],
    // VIVA: "-" before the time
    ['Jumat, 15 November 2024 - 17:30 WIB', '2024-11-15T10:30:00.000Z'],
    ['Jumat, 15 November 2024 - 17:30', '2024-11-15T10:30:00.000Z'], // no zone: WIB
    // Kompas: DD/MM/YYYY, comma
    ['15/11/2024, 20:10 WIB', '2024-11-15T13:10:00.000Z'],
    ['Kompas.com - 15/11/2024, 20:10 WIB', '2024-11-15T13:10:00.000Z'],
    // Other zones and abbreviations
    ['Sabtu, 16 Nop 2024 08:00 WITA', '2024-11-16T00:00:00.000Z'],
    ['Sabtu, 16 Nopember 2024 08:00 WITA', '2024-11-16T00:00:00.000Z'],
    ['Minggu, 01 Des 2024 09:15 WIT', '2024-12-01T00:15:00.000Z'],
    ['Senin, 12 Agt 2024 10.00 WITA', '2024-08-12T02:00:00.000Z'],
    ['Senin, 12 Agu 2024 10:00 WIB', '2024-08-12T03:00:00.000Z'],
    ['Kamis, 17 Okt 2024 21:00 WIB', '2024-10-17T14:00:00.000Z'],
    ['Selasa, 5 Maret 2024 pukul 07:00 WIB', '2024-03-05T00:00:00.000Z'],
    ['Ahad, 3 Mar 2024 07:00 WIB', '2024-03-03T00:00:00.000Z'],
    ['Senin, 1 Januari 2024 00:00 WIB', '2023-12-31T17:00:00.000Z'],
    ['Kamis, 29 Februari 2024 12:00 WIB', '2024-02-29T05:00:00.000Z'],
    ['Selasa, 31 Desember 2024 23:59 WIT', '2024-12-31T14:59:00.000Z'],
    ['08-11-2024 04:40 WIB', '2024-11-07T21:40:00.000Z'],
    ['2024-11-08 04:40 WIB', '2024-11-07T21:40:00.000Z'],
    ['Rabu, 13 Nov 2024 10:00 UTC', '2024-11-13T10:00:00.000Z'],
    // A date alone: midnight WIB
    ['Jumat, 8 November 2024', '2024-11-07T17:00:00.000Z'],
    // Not dates
    ['Reporter : Redaksi Internasional', null],
    ['2 jam yang lalu', null],
    ['31/02/2024 10:00 WIB', null],
    ['', null],
  ];
  for (const [line, utc] of cases) {
    it(`${JSON.stringify(line)} → ${utc}`, () => {
      expect(parseDateLine(line)?.toISOString() ?? null).to.equal(utc);
    });
  }

  it('tells a date-only line from one with a time', () => {
    expect(readDateLine('Jumat, 8 November 2024')?.hasTime).to.equal(false);
    expect(readDateLine('Jumat, 8 November 2024 04:40 WIB')?.hasTime).to.equal(true);
  });
});

describe('pipeline/page: the published date of a page', () => {
  const page = (head: string, body: string) => {
    const html = `<html><head>${head}</head><body>${body}</body></html>`;
    return findPublished(parsePage(html), readJsonLd(html))?.toISOString() ?? null;
  };

  it('the visible line wins where it and the meta disagree (an outlet labelling WIB time as UTC)', () => {
    expect(page('<meta property="article:published_time" content="2024-11-08T04:40:00Z">', '<div class="date-detail">Jum\'at, 08/11/2024 04:40 WIB</div>')).to.equal('2024-11-07T21:40:00.000Z');
  });

  it('JSON-LD datePublished, then article:published_time, when the page shows no date line', () => {
    expect(page('<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-11-12T09:30:00+07:00"}</script><meta property="article:published_time" content="2024-01-01T00:00:00Z">', '<p>x</p>')).to.equal('2024-11-12T02:30:00.000Z');
    expect(page('<meta property="article:published_time" content="2024-11-11T14:05:00+07:00">', '<p>x</p>')).to.equal('2024-11-11T07:05:00.000Z');
    expect(page('<script type="application/ld+json">{"@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","datePublished":"2024-11-12T09:30:00+07:00"}]}</script>', '')).to.equal('2024-11-12T02:30:00.000Z');
  });

  it('a published line before an updated one, whatever their order on the page', () => {
    expect(page('', '<p class="info"><time class="modified">Diperbarui 12 Nov 2024, 11:02 WIB</time></p><p class="date">Diterbitkan 12 Nov 2024, 09:30 WIB</p>')).to.equal('2024-11-12T02:30:00.000Z');
  });

  it('a date-only line gives way to meta of the same day, which knows the hour', () => {
    const meta = new Date('2024-11-08T03:15:00Z');
    expect(choosePublished(readDateLine('Jumat, 8 November 2024'), meta)).to.equal(meta);
    expect(choosePublished(readDateLine('Kamis, 7 November 2024'), meta)?.toISOString()).to.equal('2024-11-06T17:00:00.000Z');
    expect(choosePublished(null, meta)).to.equal(meta);
    expect(choosePublished(null, null)).to.equal(null);
  });

  it('broken JSON-LD is skipped, not fatal', () => {
    expect(page('<script type="application/ld+json">{"datePublished": "2024-11-12T09:30:00+07:00",}</script>', '<span class="date">Selasa, 12 Nov 2024 09:30 WIB</span>')).to.equal('2024-11-12T02:30:00.000Z');
  });
});
