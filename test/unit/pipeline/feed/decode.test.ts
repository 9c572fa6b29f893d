import { expect } from 'chai';
import iconv from 'iconv-lite';
import { gzipSync } from 'node:zlib';
import { WartaError } from '../../../../src/base/errors.js';
import { decodeBody, detectEncoding, httpCharset } from '../../../../src/pipeline/feed/decode.js';

const prolog = (encoding: string) => `<?xml version="1.0" encoding="${encoding}"?>`;
const doc = (text: string) => `<rss version="2.0"><channel><title>${text}</title></channel></rss>`;

describe('pipeline: decodeBody', () => {
  // [case, bytes, Content-Type, expected title text, expected encoding]
  const cases: [string, Uint8Array, string | null, string, string][] = [
    ['UTF-8 by default', Buffer.from(doc('Kopi ☕ enak')), null, 'Kopi ☕ enak', 'utf-8'],
    ['UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(doc('é'))]), 'text/xml; charset=iso-8859-1', 'é', 'utf-8'],
    ['ISO-8859-1 from the prolog only', iconv.encode(prolog('ISO-8859-1') + doc('Café'), 'latin1'), 'application/xml', 'Café', 'windows-1252'],
    ['windows-1252 from HTTP over a UTF-8 prolog', iconv.encode(prolog('utf-8') + doc('“smart”'), 'win1252'), 'text/xml; charset="windows-1252"', '“smart”', 'windows-1252'],
    ['UTF-16LE BOM', iconv.encode(prolog('UTF-16') + doc('Ñandú'), 'utf-16le', { addBOM: true }), 'text/xml; charset=utf-8', 'Ñandú', 'utf-16le'],
    ['UTF-16BE BOM', iconv.encode(prolog('UTF-16') + doc('Ñandú'), 'utf-16be', { addBOM: true }), null, 'Ñandú', 'utf-16be'],
    ['UTF-16LE without BOM', iconv.encode(prolog('UTF-16') + doc('日本'), 'utf-16le'), null, '日本', 'utf-16le'],
    ['UTF-32BE without BOM', iconv.encode(prolog('UTF-32') + doc('𝄞 clef'), 'utf-32be'), null, '𝄞 clef', 'utf-32be'],
    ['UTF-32LE BOM', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), iconv.encode(doc('ok'), 'utf-32le')]), null, 'ok', 'utf-32le'],
    ['ISO-8859-2 from the prolog', iconv.encode(prolog('iso-8859-2') + doc('Łódź'), 'iso-8859-2'), null, 'Łódź', 'iso-8859-2'],
    ['KOI8-R', iconv.encode(prolog('koi8-r') + doc('Привет'), 'koi8-r'), null, 'Привет', 'koi8-r'],
    ['windows-1251', iconv.encode(prolog('windows-1251') + doc('Київ'), 'win1251'), null, 'Київ', 'windows-1251'],
    ['Big5', iconv.encode(prolog('big5') + doc('新聞'), 'big5'), null, '新聞', 'big5'],
    ['EUC-KR (read as its superset cp949)', iconv.encode(prolog('euc-kr') + doc('뉴스'), 'euc-kr'), null, '뉴스', 'cp949'],
    ['EUC-JP', iconv.encode(prolog('EUC-JP') + doc('ニュース'), 'euc-jp'), null, 'ニュース', 'euc-jp'],
    ['Shift_JIS from HTTP', iconv.encode(doc('ニュース'), 'shift_jis'), 'application/rss+xml; charset=Shift_JIS', 'ニュース', 'shift_jis'],
    ['GB2312 (read as GB18030)', iconv.encode(prolog('gb2312') + doc('新闻'), 'gb18030'), null, '新闻', 'gb18030'],
    ['a bogus HTTP charset is ignored', iconv.encode(prolog('iso-8859-1') + doc('Café'), 'latin1'), 'text/xml; charset=no-such-thing', 'Café', 'windows-1252'],
    ['a UTF-16 prolog on ASCII bytes is ignored', Buffer.from(prolog('utf-16') + doc('plain')), null, 'plain', 'utf-8'],
  ];

  for (const [name, body, contentType, title, encoding] of cases) {
    it(name, () => {
      expect(detectEncoding(body, contentType).name).to.equal(encoding);
      const text = decodeBody(body, contentType);
      expect(text).to.contain(`<title>${title}</title>`);
      expect(text).not.to.match(/^\uFEFF/);
    });
  }

  it('reads the stray windows-1252 bytes of a UTF-8 document one by one', () => {
    const body = Buffer.concat([Buffer.from('<t>naïve '), Buffer.from([0x93, 0x71, 0x94]), Buffer.from(' café</t>')]);
    expect(decodeBody(body, 'text/xml; charset=utf-8')).to.equal('<t>naïve “q” café</t>');
  });

  it('maps C1 controls to the windows-1252 characters they stood for', () => {
    expect(decodeBody(Buffer.from('<t>don\u0092t</t>'), null)).to.equal('<t>don’t</t>');
  });

  it('removes characters XML forbids', () => {
    expect(decodeBody(Buffer.from('<t>a\u0000b\u0001c\u000bd\u001fe\ttab</t>'), null)).to.equal('<t>abcde\ttab</t>');
  });

  // cleanText skips its replacements when one scan finds nothing to replace: each kind of character it handles,
  // alone and beside the others, must still be handled, and text with none of them must come out unchanged.
  const utf16 = (units: number[]) => Buffer.from(new Uint16Array([0xfeff, ...units]).buffer);
  const units = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
  const cleaning: [string, Uint8Array, string][] = [
    ['plain ASCII, untouched', Buffer.from('<t>plain text &amp; more</t>'), '<t>plain text &amp; more</t>'],
    ['surrogate pairs (emoji) kept', Buffer.from('<t>Kopi ☕ 😀 𝄞</t>'), '<t>Kopi ☕ 😀 𝄞</t>'],
    ['no-break space and other Latin-1 letters kept', Buffer.from('<t>a\u00a0b é ÿ</t>'), '<t>a\u00a0b é ÿ</t>'],
    ['the BOM of a clean document dropped', Buffer.from('\ufeff<t>x</t>'), '<t>x</t>'],
    ['the prolog encoding of a clean document dropped', Buffer.from('<?xml version="1.0" encoding="utf-8"?><t>x</t>'), '<?xml version="1.0"?><t>x</t>'],
    ['a lone high surrogate (UTF-16) removed', utf16([...units('<t>a'), 0xd83d, ...units('b</t>')]), '<t>ab</t>'],
    ['a lone low surrogate (UTF-16) removed, a pair beside it kept', utf16([...units('<t>'), 0xde00, 0xd83d, 0xde00, ...units('</t>')]), '<t>😀</t>'],
    ['U+FFFE and U+FFFF removed', utf16([...units('<t>a'), 0xfffe, 0xffff, ...units('b</t>')]), '<t>ab</t>'],
    ['a C1 control beside a forbidden control', Buffer.from('<t>don\u0092t\u0007</t>'), '<t>don’t</t>'],
  ];
  for (const [name, body, expected] of cleaning) {
    it(`cleans the decoded text: ${name}`, () => expect(decodeBody(body, null)).to.equal(expected));
  }

  it('drops the prolog encoding the text is no longer in', () => {
    const text = decodeBody(iconv.encode(prolog('ISO-8859-1') + doc('x'), 'latin1'), null);
    expect(text.startsWith('<?xml version="1.0"?>')).to.equal(true);
  });

  it('rejects compressed and binary bodies with decode_error', () => {
    for (const body of [gzipSync(Buffer.from(doc('x'))), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a])]) {
      expect(() => decodeBody(body, null)).to.throw(WartaError).with.property('code', 'decode_error');
    }
  });
});

describe('pipeline: httpCharset', () => {
  const cases: [string | null, string | null][] = [
    ['text/xml; charset=utf-8', 'utf-8'],
    ['text/xml;charset= "us-ascii"', 'us-ascii'],
    ["application/atom+xml; charset='gb2312'", 'gb2312'],
    ['text/xml; charset = windows-1252; foo=bar', 'windows-1252'],
    ['text/xml; charset:iso-8859-1', null],
    ['text/xml', null],
    [null, null],
  ];
  for (const [header, charset] of cases) {
    it(`${header} → ${charset}`, () => expect(httpCharset(header)).to.equal(charset));
  }
});
