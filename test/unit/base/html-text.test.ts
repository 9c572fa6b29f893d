import { expect } from 'chai';
import { htmlToText } from '../../../src/base/html-text.js';

describe('tagging/html: htmlToText', () => {
  const cases: [string, string, string][] = [
    ['plain text passes through', 'Rusia dan Belarus', 'Rusia dan Belarus'],
    ['entities decoded', 'Rusia &amp; Belarus &#8211; &quot;sekutu&quot;', 'Rusia & Belarus – "sekutu"'],
    ['named entities without markup', 'Caf&eacute; di Minsk', 'Café di Minsk'],
    ['markup dropped, blocks become lines', '<p>Rusia</p><p>Belarus</p>', 'Rusia\nBelarus'],
    ['br separates words', 'Rusia<br>Belarus', 'Rusia\nBelarus'],
    ['inline tags do not split words', '<b>J</b>AKARTA', 'JAKARTA'],
    ['attribute values are not text', '<a href="https://antaranews.com/tag/rusia" title="Rusia">Baca juga</a>', 'Baca juga'],
    ['img alt is not text', 'Foto <img src="x.jpg" alt="Putin di Minsk"> ini', 'Foto\nini'],
    ['script and style bodies are not text', '<script>var t = "Rusia";</script><style>.rusia{}</style>Belarus', 'Belarus'],
    ['comments are not text', 'Belarus <!-- Rusia --> Minsk', 'Belarus Minsk'],
    ['double-escaped markup', '&lt;p&gt;Rusia&lt;/p&gt;', 'Rusia'],
    ['double-escaped link drops its href', '&lt;a href=&quot;https://x.id/rusia&quot;&gt;Baca&lt;/a&gt;', 'Baca'],
    ['double-escaped entity', 'Rusia &amp;amp; Belarus', 'Rusia & Belarus'],
    ['CDATA content is text', '<![CDATA[Rusia]]> dan Belarus', 'Rusia dan Belarus'],
    ['whitespace collapsed and trimmed', '  Rusia \t\n  dan\r\n\r\nBelarus  ', 'Rusia\ndan\nBelarus'],
    ['non-breaking spaces collapse', 'Rusia&nbsp;&nbsp;Belarus', 'Rusia Belarus'],
    ['a literal less-than stays', 'suhu < 5 derajat', 'suhu < 5 derajat'],
    ['empty input', '', ''],
  ];
  for (const [name, html, text] of cases) {
    it(name, () => expect(htmlToText(html)).to.equal(text));
  }
});
