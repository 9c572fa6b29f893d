import { expect } from 'chai';
import { ConfigError, parseConfig, type ConfigProblem } from '../../../src/config/load.js';
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
    });
    expect(c.sources[0]).to.deep.equal({ id: 'antara-dunia', url: 'https://www.antaranews.com/rss/dunia.xml', title: null, schedule: '*/15 * * * *', maxItems: null, tags: [], fromCategories: null, private: false });
    expect(c.tags[0]!.slug).to.equal('hubungan-rusia-dengan-belarusia');
    expect(c.outputs[0]!.limit).to.equal(50);
    expect(Object.isFrozen(c.sources)).to.equal(true);
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
