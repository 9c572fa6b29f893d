import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, REPO } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

// Every CLI call pays for the modules it loads (issue 16: "make repeated CLI use fast"). Each command loads its
// own modules when it runs; this records what a run imports (a module resolve hook) and fails when a command
// pulls in what only another needs — the HTTP client, the daemon, the feed pipeline, the renderers.
describe('CLI start-up: a command loads only what it uses', function () {
  this.timeout(30_000);
  let tmp: ReturnType<typeof tempDir>;
  let register: string;
  before(() => {
    tmp = tempDir();
    const hooks = join(tmp.dir, 'hooks.mjs');
    writeFileSync(hooks, "import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  const r = await next(specifier, context);\n  appendFileSync(process.env.WARTA_TEST_LOADED, r.url + '\\n');\n  return r;\n}\n");
    register = join(tmp.dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    writeFileSync(join(tmp.dir, 'w.yaml'), `storage:\n  path: "${join(tmp.dir, 'w.db')}"\nsources:\n  - id: a\n    url: "http://127.0.0.1:9/a.xml"\n`);
    // `warta sources` reads a database and never creates one: a fetch makes it (its one source fails: exit 3).
    const fetched = spawnSync(process.execPath, [BIN, 'fetch', '--config', join(tmp.dir, 'w.yaml')], { cwd: REPO, encoding: 'utf8' });
    expect(fetched.status, fetched.stderr).to.equal(3);
  });
  after(() => tmp.cleanup());

  const loadedBy = (args: string[]) => {
    const log = join(tmp.dir, `loaded-${args[0]!.replace(/\W/g, '')}.txt`);
    writeFileSync(log, '');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...args], { cwd: REPO, env: { ...process.env, WARTA_TEST_LOADED: log }, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(args[0] === 'fetch' ? 3 : 0);
    const urls = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].map((u) => u.replace(pathToFileURL(REPO).href, ''));
    // bin/warta.js runs the bundle (scripts/build.mjs): a file of it stands for the dist/ modules and package files it holds.
    return urls.flatMap((u) => (u.startsWith('dist/bundle/') ? (bundleInputs[u.slice('dist/bundle/'.length)] ?? [u]) : [u]));
  };
  const bundleInputs = JSON.parse(readFileSync(join(REPO, 'dist', 'bundle', 'inputs.json'), 'utf8')) as Record<string, string[]>;

  const DAEMON_ONLY = [/node_modules\/undici\//, /node_modules\/pino\//, /node_modules\/rss-parser\//, /node_modules\/sanitize-html\//, /^dist\/main\.js$/, /^dist\/pipeline\/(fetch|feed|refresh)/, /^dist\/publish\//, /^dist\/http\//];
  const cases: [args: string[], mustNotLoad: RegExp[]][] = [
    [['--version'], [...DAEMON_ONLY, /node_modules\/better-sqlite3\//, /^dist\/store\/(?!spec\.js$)/]],
    [['--help'], [...DAEMON_ONLY, /node_modules\/better-sqlite3\//, /^dist\/store\/(?!spec\.js$)/]],
    [['check-config', '--config', 'CONFIG'], [...DAEMON_ONLY, /node_modules\/better-sqlite3\//, /^dist\/store\/(?!spec\.js$)/]],
    [['sources', '--config', 'CONFIG'], DAEMON_ONLY],
    // A fetch into SQLite with no cron expression and no full_text source: no PostgreSQL driver, no Prometheus
    // client, no cron library (each ~140-400M instructions of start-up; BENCHMARKS.md "Start-up of a command").
    // Nor, for a poll that brings no body (here a refused connection; a 304 alike), the feed parsers, the HTML
    // reader and the feed parser threads (their pools are only shells until asked) or the article page queue: they load with the first body (BENCHMARKS.md "A 304 re-poll").
    [['fetch', '--config', 'CONFIG', 'a'], [/node_modules\/pg\//, /node_modules\/prom-client\//, /node_modules\/node-cron\//, /^dist\/store\/postgres\//, /^dist\/base\/metrics\.js$/, /^dist\/main\.js$/,
      /node_modules\/rss-parser\//, /node_modules\/htmlparser2\//, /node_modules\/iconv-lite\//, /^dist\/pipeline\/feed\/(?!ingest-pool\.js$)/, /^dist\/pipeline\/page\/(?!reader-pool\.js$)/, /^dist\/pipeline\/(skim|item-page)\.js$/, /^dist\/jobs\/pages\.js$/]],
  ];
  for (const [args, mustNotLoad] of cases) {
    it(`warta ${args.join(' ')}`, () => {
      const loaded = loadedBy(args.map((a) => (a === 'CONFIG' ? join(tmp.dir, 'w.yaml') : a)));
      expect(loaded.some((u) => u.endsWith('dist/cli.js')), 'the hook saw the CLI load').to.equal(true);
      expect(loaded.filter((u) => mustNotLoad.some((re) => re.test(u)))).to.deep.equal([]);
    });
  }
});
