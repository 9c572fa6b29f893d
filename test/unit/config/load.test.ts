import { expect } from 'chai';
import { ConfigError, parseConfig, type ConfigProblem } from '../../../src/config/load.js';
import { DEFAULT_THRESHOLD } from '../../../src/stories/index.js';
import { configSecrets } from '../../../src/config/secrets.js';

const VALID = `server:
  listen: "127.0.0.1:8080"
storage:
  path: "data/x.db"
sources:
  - id: antara-dunia
    url: "https://www.antaranews.com/rss/dunia.xml"
tags:
  - name: "Hubungan Rusia dengan Belarusia"
    match: '(Rusia OR Putin) AND (Belarusia OR Minsk)'
outputs:
  - id: rusia-belarusia
    title: "Rusia–Belarusia"
    tags: ["Hubungan Rusia dengan Belarusia"]
`;

function problemsOf(text: string): ConfigProblem[] {
  try {
    parseConfig(text, 'warta.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('config: parseConfig', () => {
  it('accepts the documented example and fills defaults', () => {
    const c = parseConfig(VALID, 'warta.yaml');
    expect(c.server).to.deep.include({ host: '127.0.0.1', port: 8080, baseUrl: 'http://127.0.0.1:8080' });
    expect(c.fetch).to.deep.equal({
      schedule: '*/15 * * * *', timezone: 'UTC', timeoutMs: 20_000, maxBody: 10 * 1024 * 1024, concurrency: 16, perHost: 2,
      minIntervalMs: 300_000, maxIntervalMs: 86_400_000, hostPauseMaxMs: 300_000, redirectPersistAfter: 3, blockPrivateAddresses: false,
      pageConcurrency: 4,
      pageTimeLimitMs: 10_000,
    });
    expect(c.sources[0]).to.deep.equal({
      id: 'antara-dunia', url: 'https://www.antaranews.com/rss/dunia.xml', title: null, schedule: '*/15 * * * *', maxItems: null, tags: [], fromCategories: null, private: false, priority: 0,
      type: 'feed', items: null, fullText: null, publisherKeywords: false, contentSelector: null, remove: [],
    });
    expect(c.tags[0]!.slug).to.equal('hubungan-rusia-dengan-belarusia');
    expect(c.outputs[0]!.limit).to.equal(50);
    expect(c.outputs[0]!.collapse).to.equal(false);
    expect(c.stories).to.deep.equal({ windowMs: 72 * 3_600_000, threshold: DEFAULT_THRESHOLD, ignoreParams: [] });
    expect(Object.isFrozen(c.sources)).to.equal(true);
  });

  // Whole articles (issue 12): what each source's page keys become, and what is refused where.
  const pageSource = (lines: string) => `sources:\n  - id: s\n    url: "https://berita.example/rss"\n${lines}`;
  const pageCases: { yaml: string; want?: Record<string, unknown>; problem?: RegExp }[] = [
    { yaml: '    full_text: true\n    publisher_keywords: true\n    content_selector: "div.txt-detail"\n    remove: [".ads", "div.baca-juga"]\n', want: { type: 'feed', fullText: 'full', publisherKeywords: true, contentSelector: 'div.txt-detail', remove: ['.ads', 'div.baca-juga'] } },
    { yaml: '    full_text: tag_only\n', want: { fullText: 'tag_only' } },
    { yaml: '    type: html\n', want: { type: 'html', items: null, fullText: 'full' } },
    { yaml: '    type: html\n    items: "h2.judul a"\n    full_text: tag_only\n', want: { type: 'html', items: 'h2.judul a', fullText: 'tag_only' } },
    { yaml: '    full_text: yes please\n', problem: /full_text/ },
    { yaml: '    full_text: true\n    content_selector: "div[[["\n', problem: /5:\d+: .*content_selector must be a CSS selector/ },
    { yaml: '    content_selector: "div.txt"\n', problem: /4:\d+: content_selector needs full_text/ },
    { yaml: '    publisher_keywords: true\n', problem: /publisher_keywords needs full_text/ },
    { yaml: '    items: "a"\n', problem: /items needs type: html/ },
    { yaml: '    type: html\n    full_text: false\n', problem: /full_text cannot be false/ },
    { yaml: '    type: rss\n', problem: /type/ },
  ];
  for (const c of pageCases) {
    it(`page keys: ${JSON.stringify(c.yaml.trim())}`, () => {
      if (c.want) expect(parseConfig(pageSource(c.yaml), 'warta.yaml').sources[0]).to.deep.include(c.want);
      else expect(problemsOf(pageSource(c.yaml)).map((p) => `${p.line}:${p.col}: ${p.message}`).join('\n')).to.match(c.problem!);
    });
  }
  it('fetch.page_concurrency: 1–64', () => {
    expect(parseConfig('fetch:\n  page_concurrency: 8\n', 'w.yaml').fetch.pageConcurrency).to.equal(8);
    expect(problemsOf('fetch:\n  page_concurrency: 0\n')[0]!.message).to.match(/page_concurrency|>=\s*1|too small/i);
  });

  it('fetch.page_time_limit: a duration, 10s by default, at least 100ms', () => {
    expect(parseConfig('', 'w.yaml').fetch.pageTimeLimitMs).to.equal(10_000);
    expect(parseConfig('fetch:\n  page_time_limit: 2.5s\n', 'w.yaml').fetch.pageTimeLimitMs).to.equal(2500);
    expect(problemsOf('fetch:\n  page_time_limit: 50ms\n').map((p) => `${p.line}:${p.col}: ${p.message}`)).to.deep.equal(['2:20: fetch.page_time_limit must be at least 100ms (a news page takes tens of milliseconds to read; 10s is the default)']);
    expect(problemsOf('fetch:\n  page_time_limit: soon\n')[0]!.message).to.match(/page_time_limit must be a duration/);
  });

  it('applies WARTA_LISTEN, WARTA_BASE_URL and WARTA_DB over the file', () => {
    const c = parseConfig(VALID, 'warta.yaml', { WARTA_LISTEN: '0.0.0.0:9000', WARTA_BASE_URL: 'https://news.example.org/', WARTA_DB: '/data/w.db' });
    expect(c.server).to.deep.include({ host: '0.0.0.0', port: 9000, baseUrl: 'https://news.example.org', adminToken: null });
    expect(c.storage.path).to.equal('/data/w.db');
  });

  it('storage: SQLite by default; storage.url postgres:// (or WARTA_DB_URL, or ${ENV} inside it) selects PostgreSQL', () => {
    expect(parseConfig(VALID, 'warta.yaml').storage).to.deep.include({ url: null, poolSize: 10, statementTimeoutMs: 30_000 });
    const url = 'postgres://warta:rahasia@127.0.0.1:5432/warta';
    const fromFile = parseConfig(`storage:\n  url: "\${DB}"\n  pool_size: 4\n  statement_timeout: "5s"\n`, 'w.yaml', { DB: url });
    expect(fromFile.storage).to.deep.include({ url, poolSize: 4, statementTimeoutMs: 5_000 });
    // Its password is a secret the logs mask.
    expect(configSecrets(fromFile).urls).to.include(url);
    expect(parseConfig(VALID, 'warta.yaml', { WARTA_DB_URL: url }).storage.url).to.equal(url);
    const sqlite = parseConfig('storage:\n  url: "sqlite:/data/w.db"\n', 'w.yaml').storage;
    expect(sqlite).to.deep.include({ url: null, path: '/data/w.db' });
  });

  it('storage: a url that is neither postgres:// nor sqlite:, and a pool of 0, are rejected', () => {
    expect(problemsOf('storage:\n  url: "mysql://db/warta"\n')[0]!.message).to.match(/storage\.url: must be "postgres:\/\//);
    expect(problemsOf('storage:\n  pool_size: 0\n')[0]!.message).to.match(/storage\.pool_size/);
  });

  it('derives a reachable base_url from a wildcard listen address', () => {
    const c = parseConfig('server:\n  listen: "0.0.0.0:8080"\n', 'w.yaml');
    expect(c.server.baseUrl).to.equal('http://127.0.0.1:8080');
  });

  const cases: { name: string; text: string; expect: { line: number; col: number; re: RegExp }[] }[] = [
    { name: 'YAML syntax error', text: 'server:\n  listen: "127.0.0.1:8080\n', expect: [{ line: 3, col: 1, re: /Missing closing "quote/ }] },
    { name: 'unknown key at its own position', text: 'server:\n  listne: "x:1"\n', expect: [{ line: 2, col: 3, re: /unknown key "listne" in server/ }] },
    { name: 'unknown top-level key', text: 'sourcess: []\n', expect: [{ line: 1, col: 1, re: /unknown key "sourcess"/ }] },
    { name: 'wrong type', text: 'fetch:\n  concurrency: "many"\n', expect: [{ line: 2, col: 16, re: /fetch\.concurrency: must be number/ }] },
    { name: 'missing required field points at its parent', text: 'sources:\n  - id: a\n', expect: [{ line: 2, col: 5, re: /sources\.0\.url: is required/ }] },
    { name: 'bad URL', text: 'sources:\n  - id: a\n    url: "ftp://x/feed"\n', expect: [{ line: 3, col: 10, re: /http:\/\/ or https:\/\// }] },
    { name: 'bad id', text: 'sources:\n  - id: Antara_Dunia\n    url: "http://x/"\n', expect: [{ line: 2, col: 9, re: /\[a-z0-9-\]\+/ }] },
    { name: 'bad cron expression', text: 'sources:\n  - id: a\n    url: "http://x/"\n    schedule: "every minute"\n', expect: [{ line: 4, col: 15, re: /invalid cron expression/ }] },
    { name: 'bad time zone', text: 'fetch:\n  timezone: "Mars/Olympus"\n', expect: [{ line: 2, col: 13, re: /unknown time zone/ }] },
    { name: 'bad duration', text: 'fetch:\n  timeout: "soon"\n', expect: [{ line: 2, col: 12, re: /duration/ }] },
    { name: 'stories.window not a duration', text: 'stories:\n  window: "tiga hari"\n', expect: [{ line: 2, col: 11, re: /stories\.window: window must be a duration/ }] },
    { name: 'stories.threshold out of range', text: 'stories:\n  threshold: 1.5\n', expect: [{ line: 2, col: 14, re: /stories\.threshold: threshold must be between 0\.05 and 1/ }] },
    { name: 'stories.ignore_params not a parameter name', text: 'stories:\n  ignore_params: ["ref=x"]\n', expect: [{ line: 2, col: 19, re: /stories\.ignore_params\.0: must be a query parameter name/ }] },
    { name: 'unknown key in stories', text: 'stories:\n  treshold: 0.5\n', expect: [{ line: 2, col: 3, re: /unknown key "treshold" in stories/ }] },
    { name: 'priority not a number', text: 'sources:\n  - id: a\n    url: "http://x/"\n    priority: high\n', expect: [{ line: 4, col: 15, re: /sources\.0\.priority: must be number/ }] },
    { name: 'collapse not a boolean', text: 'outputs:\n  - id: o\n    title: O\n    match: x\n    collapse: "ya"\n', expect: [{ line: 5, col: 15, re: /outputs\.0\.collapse: must be boolean/ }] },
    {
      name: 'duplicate source ids',
      text: 'sources:\n  - id: a\n    url: "http://x/1"\n  - id: a\n    url: "http://x/2"\n',
      expect: [{ line: 4, col: 9, re: /duplicate source id "a"/ }],
    },
    {
      name: 'tag query that does not parse points inside the query',
      text: "tags:\n  - name: Rusia\n    match: '(Rusia OR Moskow'\n",
      expect: [{ line: 3, col: 12, re: /tag "Rusia":/ }],
    },
    {
      name: 'output naming an unknown tag',
      text: 'tags:\n  - name: A\n    match: a\noutputs:\n  - id: o\n    title: O\n    tags: [A, B]\n',
      expect: [{ line: 7, col: 15, re: /unknown tag "B"/ }],
    },
    {
      name: 'two tags with one slug',
      text: 'tags:\n  - name: "Rusia Belarus"\n    match: a\n  - name: "rusia/belarus"\n    match: b\n',
      expect: [{ line: 4, col: 11, re: /same slug "rusia-belarus"/ }],
    },
    { name: 'tag with an empty slug', text: 'tags:\n  - name: "!!!"\n    match: a\n', expect: [{ line: 2, col: 11, re: /no letters or digits/ }] },
    // Issue 16 items 5–7: what the admin wrote is named, with the likely fix.
    {
      name: 'a source: typo in an output query (points at the id inside the query)',
      text: "sources:\n  - id: viva\n    url: http://x/\noutputs:\n  - id: o\n    title: O\n    match: 'NOT source:vivaa'\n",
      expect: [{ line: 7, col: 24, re: /^output "o": source:vivaa names unknown source "vivaa" \(did you mean "viva"\?\)$/ }],
    },
    {
      name: 'a source: typo in a tag query, inside parentheses and beside other fields',
      text: "sources:\n  - id: antara-dunia\n    url: http://x/\ntags:\n  - name: A\n    match: 'Putin AND (title:opini OR source:antara-duina)'\n",
      expect: [{ line: 6, col: 46, re: /tag "A": source:antara-duina names unknown source "antara-duina" \(did you mean "antara-dunia"\?\)/ }],
    },
    {
      name: 'a source: prefix that matches no source',
      text: "sources:\n  - id: antara-dunia\n    url: http://x/\noutputs:\n  - id: o\n    title: O\n    match: 'source:tempo*'\n",
      expect: [{ line: 7, col: 20, re: /source:tempo\* names no source id starts with "tempo"/ }],
    },
    {
      name: 'an unknown key close to a known one',
      text: 'sources:\n  - id: a\n    url: "http://x/"\n    max_item: 100\n',
      expect: [{ line: 4, col: 5, re: /^unknown key "max_item" in sources\.0 \(did you mean "max_items"\?\)$/ }],
    },
    { name: 'an unknown key close to nothing', text: 'server:\n  colour: red\n', expect: [{ line: 2, col: 3, re: /^unknown key "colour" in server$/ }] },
    { name: 'an hour out of range', text: 'fetch:\n  schedule: "0 25 * * *"\n', expect: [{ line: 2, col: 13, re: /^invalid cron expression "0 25 \* \* \*": hour 25 is out of range \(0–23\)$/ }] },
    {
      name: 'a list item indented one space too far',
      text: 'sources:\n  - id: a\n    url: http://x/\n   - id: b\n    url: http://y/\n',
      expect: [
        { line: 4, col: 4, re: /^All sequence items must start at the same column \(check the indentation here and on the lines above: .*"- "/ },
        { line: 5, col: 1, re: /^Sequence item without - indicator \(check the indentation/ },
      ],
    },
    { name: 'a key outdented out of its list item', text: 'tags:\n  - name: A\n  match: x\n', expect: [{ line: 3, col: 1, re: /same column \(check the indentation/ }] },
    { name: 'a tab as indentation', text: 'server:\n\tlisten: x\n', expect: [{ line: 2, col: 1, re: /indent with spaces/ }] },
    { name: 'a listen port above 65535', text: 'server:\n  listen: "127.0.0.1:99999"\n', expect: [{ line: 2, col: 11, re: /^server\.listen: port must be 1–65535$/ }] },
    { name: 'listen port 0', text: 'server:\n  listen: "127.0.0.1:0"\n', expect: [{ line: 2, col: 11, re: /port must be 1–65535/ }] },
    { name: 'limit above 1000', text: 'tags:\n  - name: A\n    match: a\noutputs:\n  - id: o\n    title: O\n    tags: [A]\n    limit: 5000\n', expect: [{ line: 8, col: 12, re: /limit/ }] },
  ];
  for (const c of cases) {
    it(`reports ${c.name} with line and column`, () => {
      const problems = problemsOf(c.text);
      expect(problems.length, JSON.stringify(problems)).to.equal(c.expect.length);
      c.expect.forEach((e, i) => {
        const p = problems[i]!;
        expect({ line: p.line, col: p.col }, p.message).to.deep.equal({ line: e.line, col: e.col });
        expect(p.message).to.match(e.re);
        expect(p.file).to.equal('warta.yaml');
      });
    });
  }

  it('reports every problem at once, in file order', () => {
    const problems = problemsOf('sources:\n  - id: a\n    url: "x"\n  - id: B\n    url: "http://x/"\n');
    expect(problems.map((p) => p.line)).to.deep.equal([3, 4]);
  });
});

describe('config: environment overrides are validated and named', () => {
  const cases: { env: NodeJS.ProcessEnv; re: RegExp }[] = [
    { env: { WARTA_LISTEN: '127.0.0.1:99999' }, re: /^WARTA_LISTEN="127\.0\.0\.1:99999": server\.listen: port must be 1–65535$/ },
    { env: { WARTA_LISTEN: 'nohost' }, re: /^WARTA_LISTEN="nohost": server\.listen: must be host:port/ },
    { env: { WARTA_BASE_URL: 'ftp://x/' }, re: /^WARTA_BASE_URL="ftp:\/\/x\/": server\.base_url: must be an absolute http/ },
  ];
  for (const c of cases) {
    it(`${Object.keys(c.env)[0]}=${Object.values(c.env)[0]}`, () => {
      let problems: ConfigProblem[] = [];
      try {
        parseConfig(VALID, 'warta.yaml', c.env);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems = err.problems;
      }
      expect(problems.map((p) => p.message)).to.have.length(1);
      expect(problems[0]!.message).to.match(c.re);
    });
  }
});

describe('config: ${ENV} substitution', () => {
  it('substitutes variables in values and keeps $${ literal', () => {
    const c = parseConfig('server:\n  base_url: "https://${HOST}/warta"\noutputs: []\ntags:\n  - name: "cost $${x}"\n    match: biaya\n', 'w.yaml', { HOST: 'news.example.org' });
    expect(c.server.baseUrl).to.equal('https://news.example.org/warta');
    expect(c.tags[0]!.name).to.equal('cost ${x}');
  });

  it('reports an unset variable at its position instead of substituting an empty string', () => {
    const problems = problemsOf('server:\n  base_url: "https://${WARTA_TEST_UNSET}/"\n');
    expect(problems).to.have.length(1);
    expect(problems[0]).to.deep.include({ line: 2, col: 13 });
    expect(problems[0]!.message).to.match(/environment variable WARTA_TEST_UNSET is not set/);
  });
});
