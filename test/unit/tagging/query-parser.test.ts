import { expect } from 'chai';
import { formatQuery, parseQuery, QuerySyntaxError } from '../../../src/tagging/index.js';
import { WartaError } from '../../../src/base/errors.js';

describe('tagging/query-parser: parseQuery', () => {
  describe('accepts', () => {
    const cases: [string, string][] = [
      ['Rusia', 'rusia'],
      ['RUSIA', 'rusia'],
      ['"Rusia dan Belarus"', '"rusia dan belarus"'],
      ['Rusia-Belarus', '"rusia belarus"'],
      ['Putin–Lukashenko', '"putin lukashenko"'],
      ["Jum'at", 'jumat'],
      ['Lukašenko', 'lukasenko'],
      ['Rusia Belarus', '(and rusia belarus)'],
      ['Rusia AND Belarus', '(and rusia belarus)'],
      ['Rusia OR Belarus', '(or rusia belarus)'],
      ['NOT Rusia', '(not rusia)'],
      ['Rusia NOT Belarus', '(and rusia (not belarus))'],
      ['NOT NOT Rusia', '(not (not rusia))'],
      // precedence: NOT > AND > OR
      ['a OR b AND c', '(or a (and b c))'],
      ['a AND b OR c', '(or (and a b) c)'],
      ['NOT a AND b', '(and (not a) b)'],
      ['a b OR c NOT d', '(or (and a b) (and c (not d)))'],
      ['(a OR b) AND c', '(and (or a b) c)'],
      ['((a))', 'a'],
      ['and or not', '(and and or not)'], // lower-case words are plain terms
      [
        '(Rusia OR Moskow OR Kremlin OR Putin) AND (Belarusia OR Belarus OR Minsk OR Lukashenko)',
        '(and (or rusia moskow kremlin putin) (or belarusia belarus minsk lukashenko))',
      ],
      // issue 4
      ['belarus*', 'belarus*'],
      ['Rusia-Bel*', '"rusia bel*"'],
      ['Putin NEAR/5 Lukashenko', '(near/5 putin lukashenko)'],
      ['(Putin OR Medvedev) NEAR/3 "Alexander Lukashenko"', '(near/3 (or putin medvedev) "alexander lukashenko")'],
      ['NOT Putin NEAR/2 Minsk', '(not (near/2 putin minsk))'],
      ['title:(Rusia AND Belarus*)', 'title:(and rusia belarus*)'],
      ['title:Rusia Belarus', '(and title:rusia belarus)'],
      ['TITLE:Rusia', 'title:rusia'],
      ['source:antara-dunia', 'source:"antara-dunia"'],
      ['source:antara*', 'source:"antara"*'],
      ['link:rusia OR category:"Eropa Timur"', '(or link:rusia category:"eropa timur")'],
      ['title:/^opini\\b/i', 'title:/^opini\\b/i'],
      ['/a[/]b/ Rusia', '(and /a[/]b/ rusia)'],
      ['title:/Rusia (dan|&) Belarus/', 'title:/Rusia (dan|&) Belarus/'],
      ['Catatan: Rusia', '(and catatan rusia)'], // not a field name, so just a word
    ];
    for (const [query, parsed] of cases) {
      it(`${query}  ⇒  ${parsed}`, () => expect(formatQuery(parseQuery(query))).to.equal(parsed));
    }
  });

  describe('rejects, pointing at the column', () => {
    const cases: [string, number, RegExp][] = [
      ['', 1, /empty query/],
      ['   ', 1, /empty query/],
      ['(Rusia OR Belarus', 1, /'\(' is never closed/],
      ['Rusia AND (Belarus OR Minsk', 11, /'\(' is never closed/],
      ['((Rusia)', 1, /never closed/],
      ['Rusia)', 6, /no matching '\('/],
      ['(Rusia))', 8, /no matching '\('/],
      ['()', 1, /empty parentheses/],
      ['Rusia AND', 7, /AND needs a term after it/],
      ['Rusia OR', 7, /OR needs a term after it/],
      ['Rusia AND OR Belarus', 7, /AND needs a term after it/],
      ['(Rusia OR) Belarus', 8, /OR needs a term after it/],
      ['AND Rusia', 1, /AND needs a term before it/],
      ['OR Rusia', 1, /OR needs a term before it/],
      ['Rusia NOT', 7, /NOT needs a term after it/],
      ['"Rusia dan Belarus', 1, /unterminated quote/],
      ['Rusia AND "Belarus', 11, /unterminated quote/],
      ['""', 1, /empty phrase/],
      ['Rusia & Belarus', 7, /no letters or digits/],
      // issue 4
      ['bel*rus', 4, /only allowed at the end/],
      ['*', 1, /no letters or digits/],
      ['Rusia-*', 7, /directly follow a word/],
      ['Putin NEAR/5', 7, /NEAR\/5 needs a term after it/],
      ['Putin NEAR Minsk', 7, /NEAR needs a distance/],
      ['(a AND b) NEAR/3 c', 11, /needs words or phrases on both sides/],
      ['Putin NEAR/3 NOT Minsk', 7, /NEAR\/3 needs a term after it/],
      ['title:', 1, /title: needs a term after it/],
      ['Rusia title:)', 7, /title: needs a term after it/],
      ['title:/^opini(/i', 7, /invalid regex/],
      ['Rusia /abc', 7, /unterminated \/regex\//],
      ['//', 1, /empty \/regex\//],
      ['/opini/g', 8, /flag "g" is not allowed/],
      ['/opini/ix', 1, /invalid regex/],
      ['Lukašenko (', 11, /never closed/], // columns count characters
      ['𝐑𝐮𝐬𝐢𝐚 )', 7, /no matching/], // astral letters: two UTF-16 units, one column each
    ];
    for (const [query, column, detail] of cases) {
      it(`${JSON.stringify(query)} at column ${column}`, () => {
        let caught: unknown;
        try {
          parseQuery(query);
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(QuerySyntaxError);
        const err = caught as QuerySyntaxError;
        expect(err).to.be.instanceOf(WartaError);
        expect(err.code).to.equal('query_syntax');
        expect(err.detail).to.match(detail);
        expect(err.column).to.equal(column);
        expect(err.message).to.include(`column ${column}`);
      });
    }
  });

  it('reports a 0-based UTF-16 offset next to the 1-based column', () => {
    const err = (() => {
      try {
        parseQuery('𝐑𝐮𝐬𝐢𝐚 )');
      } catch (e) {
        return e as QuerySyntaxError;
      }
      throw new Error('expected a QuerySyntaxError');
    })();
    expect(err.offset).to.equal(11); // five astral letters are ten UTF-16 units but five characters
    expect(err.column).to.equal(7);
  });
});
