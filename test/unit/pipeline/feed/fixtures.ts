/**
 * Feed snippets shaped like the real thing (trimmed copies of what these generators publish), shared by the
 * ingest and parse tests.
 */

/** An Indonesian news site's RSS 2.0: WordPress-style content:encoded, dc:creator, dates in +0700 and WIB. */
export const RSS2_NEWS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Warta Nusantara &#8211; Berita Terkini</title>
  <atom:link href="https://warta.example/feed/" rel="self" type="application/rss+xml" />
  <link>https://warta.example</link>
  <description>Berita terkini dari seluruh Nusantara</description>
  <lastBuildDate>Mon, 12 Aug 2024 10:15:00 +0700</lastBuildDate>
  <language>id-ID</language>
  <ttl>15</ttl>
  <item>
    <title>Harga Beras Turun &#8216;Signifikan&#8217; di Jakarta</title>
    <link>https://warta.example/2024/08/12/harga-beras/</link>
    <dc:creator><![CDATA[Siti Rahma]]></dc:creator>
    <pubDate>Mon, 12 Aug 2024 10:00:00 +0700</pubDate>
    <category><![CDATA[Ekonomi]]></category>
    <category><![CDATA[ ekonomi ]]></category>
    <category><![CDATA[Jakarta]]></category>
    <guid isPermaLink="false">https://warta.example/?p=10231</guid>
    <description><![CDATA[<p>Harga beras medium turun Rp&nbsp;500 per kilogram&#8230;</p>]]></description>
    <content:encoded><![CDATA[<p>Harga beras medium di pasar induk turun.</p><p><img src="/wp-content/uploads/beras.jpg" alt=""></p>]]></content:encoded>
  </item>
  <item>
    <title>Gempa M 5,1 Guncang Maluku</title>
    <link>/2024/08/12/gempa-maluku/</link>
    <pubDate>Senin, 12 Agustus 2024 08:30 WIT</pubDate>
    <guid>https://warta.example/2024/08/12/gempa-maluku/</guid>
    <description>Gempa bermagnitudo 5,1 mengguncang Maluku pagi ini.</description>
  </item>
</channel>
</rss>`;

/** A blog's Atom 1.0: xml:base on feed and entry, relative links, html and xhtml text constructs. */
export const ATOM_BLOG = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/" xml:lang="en">
  <title type="html">Notes &amp;amp; &lt;em&gt;Essays&lt;/em&gt;</title>
  <link rel="self" href="/atom.xml"/>
  <link rel="alternate" type="text/html" href="./"/>
  <id>tag:blog.example,2024:feed</id>
  <updated>2024-08-10T09:00:00Z</updated>
  <author><name>Ada</name></author>
  <entry xml:base="/2024/08/">
    <title type="html">Why &lt;code&gt;&amp;amp;&lt;/code&gt; matters</title>
    <link rel="alternate" type="text/html" href="ampersands.html"/>
    <link rel="enclosure" type="audio/mpeg" href="/media/ampersands.mp3"/>
    <id>tag:blog.example,2024:ampersands</id>
    <published>2024-08-09T18:30:00-04:00</published>
    <updated>2024-08-10T09:00:00Z</updated>
    <category term="markup" label="Markup"/>
    <category term="html"/>
    <summary type="text">Escaping, in brief: write &lt;b&gt; as text.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Write <code>&amp;amp;</code>, always.</p><p><a href="../../about/">About</a></p></div></content>
  </entry>
  <entry>
    <title>Plain &lt;title&gt; text</title>
    <link href="notes/plain"/>
    <id>tag:blog.example,2024:plain</id>
    <updated>2024-08-01T12:00:00+02:00</updated>
  </entry>
</feed>`;

/** RSS 1.0 (RDF), Slashdot-style: no guids, dc:date, dc:subject; the second item has no <link>. */
export const RSS1_RDF = `<?xml version="1.0" encoding="ISO-8859-1"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
  <channel rdf:about="https://tech.example/">
    <title>Tech Example</title>
    <link>https://tech.example/</link>
    <description>News for nerds</description>
    <items><rdf:Seq>
      <rdf:li rdf:resource="https://tech.example/story/24/08/12/1"/>
      <rdf:li rdf:resource="https://tech.example/story/24/08/12/2"/>
    </rdf:Seq></items>
  </channel>
  <item rdf:about="https://tech.example/story/24/08/12/1">
    <title>Kernel 6.11 Released</title>
    <link>https://tech.example/story/24/08/12/1?utm_source=rss1.0</link>
    <dc:creator>msmash</dc:creator>
    <dc:subject>linux</dc:subject>
    <dc:date>2024-08-12T14:00:00+00:00</dc:date>
    <slash:comments>42</slash:comments>
  </item>
  <item rdf:about="https://tech.example/story/24/08/12/2">
    <title>No link here</title>
    <dc:date>2024-08-12T15:00:00Z</dc:date>
  </item>
</rdf:RDF>`;

/** Netscape RSS 0.91 with its DOCTYPE and an HTML entity the DTD declared. */
export const RSS091 = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91">
<channel>
<title>WriteTheWeb</title>
<link>http://writetheweb.com</link>
<description>News for web users that write back</description>
<language>en-us</language>
<item>
<title>Giving the world a pluggable Gnutella</title>
<link>http://writetheweb.com/read.php?item=24</link>
<description>WorldOS is a framework on which to build programs that work like Freenet or Gnutella&nbsp;-allowing distributed applications using peer-to-peer routing.</description>
</item>
<item>
<title>Syndication discussions hot up</title>
<link>http://writetheweb.com/read.php?item=23</link>
</item>
</channel>
</rss>`;

/** JSON Feed 1.1, as in the specification's examples. */
export const JSON_FEED_11 = JSON.stringify({
  version: 'https://jsonfeed.org/version/1.1',
  title: 'My Example Feed',
  home_page_url: 'https://example.org/',
  feed_url: 'https://example.org/feed.json',
  authors: [{ name: 'Brent' }],
  items: [
    {
      id: '2',
      content_text: 'This is a second item: 1 < 2 & 3 > 2.',
      url: 'https://example.org/second-item',
      date_published: '2024-08-12T10:00:00+07:00',
      tags: ['news', 'News', 'tech '],
    },
    {
      id: '1',
      title: 'First',
      content_html: '<p>Hello, world!</p>',
      summary: 'A <greeting>',
      url: '/initial-post',
      date_published: '2024-08-11T09:00:00Z',
      date_modified: '2024-08-11T10:00:00Z',
      authors: [{ name: 'Manton' }],
    },
  ],
});

/** JSON Feed 1.0: a numeric id (invalid but seen) and the singular `author`. */
export const JSON_FEED_10 = JSON.stringify({
  version: 'https://jsonfeed.org/version/1',
  title: 'Old Style',
  home_page_url: 'https://old.example/',
  author: { name: 'Jo' },
  items: [{ id: 1001, url: 'https://old.example/1001', title: 'One thousand and one', content_html: '<p>x</p>' }],
});

/** Atom where one entry's <published> is unreadable (rss-parser would reject the whole feed). */
export const ATOM_BAD_DATE = `<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Dates</title>
  <entry><id>a</id><title>Bad</title><published>sometime last week</published></entry>
  <entry><id>b</id><title>Good</title><published>2024-08-01T00:00:00Z</published></entry>
</feed>`;

/** An RSS feed with a bare "&" in the title and in a query string, and an HTML entity no DTD declares. */
export const RSS_BARE_AMP = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Tom & Jerry&nbsp;News</title><link>https://tj.example/</link>
<item><title>Q&A: cats & mice</title><link>https://tj.example/read?id=1&ref=rss</link></item>
</channel></rss>`;

/** Every XML fixture above, for tests that run them all. */
export const XML_FIXTURES: Record<string, string> = {
  RSS2_NEWS,
  ATOM_BLOG,
  RSS1_RDF,
  RSS091,
  ATOM_BAD_DATE,
  RSS_BARE_AMP,
};
