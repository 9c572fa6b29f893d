import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_MIN_BYTES } from '../../../src/config/cache.js';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load.js';

// A config of many sources (over CACHE_MIN_BYTES), with a ${VAR} in a value and one inside a query.
const sources = (n: number, host = 'berita.example') => Array.from({ length: n }, (_, i) => `  - id: s${i}\n    url: "https://${host}/rss/${i}.xml"\n    tags: [Putin]\n`).join('');
const big = (host?: string) => `server:\n  admin_token: "\${TOKEN}"\nstorage:\n  path: "data/x.db"\nsources:\n${sources(400, host)}tags:\n  - name: Putin\n    match: 'Putin OR "$\${literal}"'\n`;

describe('config: the parsed YAML of a large file kept between runs (cache.ts)', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cacheFiles = () => (existsSync(join(dir, 'cache/warta')) ? readdirSync(join(dir, 'cache/warta')).map((f) => join(dir, 'cache/warta', f)) : []);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'warta-config-cache-'));
    env = { XDG_CACHE_HOME: join(dir, 'cache'), TOKEN: 'first-secret-0123456789' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the same config from the cache as from the file, and keeps no variable value', () => {
    const file = join(dir, 'w.yaml');
    writeFileSync(file, big());
    expect(big().length).to.be.above(CACHE_MIN_BYTES);
    const fresh = loadConfig(file, env);
    expect(cacheFiles()).to.have.length(1);
    expect(statSync(cacheFiles()[0]!).mode & 0o777).to.equal(0o600);
    expect(readFileSync(cacheFiles()[0]!, 'utf8')).not.to.include('first-secret-0123456789');
    const again = loadConfig(file, env);
    expect(again).to.deep.equal(fresh);
    expect(again).to.deep.equal(parseConfig(big(), file, env));
    expect(again.server.adminToken).to.equal('first-secret-0123456789');
    expect(again.tags[0]!.match).to.equal('Putin OR "${literal}"');
    // The environment is applied afresh on every run.
    expect(loadConfig(file, { ...env, TOKEN: 'second-secret-0123456789' }).server.adminToken).to.equal('second-secret-0123456789');
  });

  it('reads the kept value, not the YAML, while the text is unchanged; an edited file is parsed again', () => {
    const file = join(dir, 'w.yaml');
    writeFileSync(file, big());
    loadConfig(file, env);
    // What the cache holds is what a second run gets: proof that it did not parse the file again.
    const [cached] = cacheFiles();
    writeFileSync(cached!, readFileSync(cached!, 'utf8').replaceAll('berita.example', 'kept.example'));
    expect(loadConfig(file, env).sources[0]!.url).to.equal('https://kept.example/rss/0.xml');
    writeFileSync(file, big('edited.example'));
    expect(loadConfig(file, env).sources[0]!.url).to.equal('https://edited.example/rss/0.xml');
  });

  it('still reports a problem at its line and column when the value came from the cache', () => {
    const file = join(dir, 'w.yaml');
    writeFileSync(file, big());
    loadConfig(file, env);
    const problems = (() => {
      try {
        loadConfig(file, { XDG_CACHE_HOME: env.XDG_CACHE_HOME });
      } catch (err) {
        if (err instanceof ConfigError) return err.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
        throw err;
      }
      throw new Error('expected an unset variable to be reported');
    })();
    expect(problems).to.deep.equal(['2:16: environment variable TOKEN is not set (referenced as ${TOKEN})']);
  });

  it('keeps nothing for a small file, nor for one whose value JSON cannot carry (.inf)', () => {
    const small = join(dir, 'small.yaml');
    writeFileSync(small, 'sources:\n  - id: s\n    url: "https://berita.example/rss"\n');
    loadConfig(small, env);
    expect(cacheFiles()).to.deep.equal([]);
    const inf = join(dir, 'inf.yaml');
    writeFileSync(inf, `${big()}x_unknown: .inf\n`);
    expect(() => loadConfig(inf, env)).to.throw(ConfigError);
    expect(cacheFiles()).to.deep.equal([]);
  });
});
