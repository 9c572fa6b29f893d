/**
 * Commands over the store as a user runs them: the ones that only look open it read-only (a missing database
 * is an error, never a new empty one), and `warta tags explain` finds an item by any id a user sees.
 */
import { expect } from 'chai';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWarta } from '../helpers/daemon.js';
import { FeedServer, feedRoute, rss } from '../helpers/feed-server.js';
import { tempDir } from '../helpers/tmp.js';

describe('CLI over the store (the built bin/warta.js)', function () {
  this.timeout(30_000);
  let feeds: FeedServer;
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let db: string;
  before(async () => {
    feeds = await new FeedServer().start();
    feeds.routes.set('/rusia.xml', feedRoute(() => ({ body: rss([{ guid: 'a-1', title: 'Putin terima Lukashenko di Moskow', link: 'https://berita.example/2026/12/putin-lukashenko' }]) })));
    tmp = tempDir();
    db = join(tmp.dir, 'warta.db');
    file = join(tmp.dir, 'warta.yaml');
    writeFileSync(file, `storage:\n  path: "${db}"\nsources:\n  - id: rusia\n    url: "${feeds.url('/rusia.xml')}"\ntags:\n  - name: Hubungan Rusia dengan Belarusia\n    match: (Rusia OR Moskow OR Putin) AND (Belarus* OR Minsk OR Lukashenko)\n`);
  });
  after(async () => {
    await feeds.stop();
    tmp.cleanup();
  });

  it('read-only commands refuse a missing database in one line, exit 1, and create nothing', async () => {
    for (const args of [['sources'], ['tags', 'test'], ['tags', 'explain', '1']]) {
      const r = await runWarta([...args, '--config', file]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
      expect(r.stderr).to.match(new RegExp(`^warta ${args.slice(0, args[0] === 'tags' ? 2 : 1).join(' ')}: no database at .*warta\\.db`));
      expect(existsSync(db), `${args.join(' ')} created the database`).to.equal(false);
    }
  });

  it('tags explain finds the item by its number, its urn:uuid (with or without the prefix) and its link', async () => {
    const fetched = await runWarta(['fetch', '--config', file]);
    expect(fetched.code, fetched.stderr).to.equal(0);
    const sources = await runWarta(['sources', '--json', '--config', file]);
    expect(JSON.parse(sources.stdout)[0]).to.include({ id: 'rusia', items: 1 });
    const explainOf = async (ref: string) => {
      const r = await runWarta(['tags', 'explain', ref, '--config', file]);
      expect(r.code, `${ref}: ${r.stderr}`).to.equal(0);
      return r.stdout;
    };
    const byNumber = await explainOf('1');
    const uid = /^item 1 {2}(urn:uuid:[0-9a-f-]{36})$/m.exec(byNumber)?.[1];
    expect(uid, byNumber).to.be.a('string');
    expect(byNumber).to.match(/stored tags:\n {2}Hubungan Rusia dengan Belarusia\n/);
    expect(await explainOf(uid!)).to.equal(byNumber);
    expect(await explainOf(uid!.slice('urn:uuid:'.length).toUpperCase())).to.equal(byNumber);
    expect(await explainOf('https://berita.example/2026/12/putin-lukashenko')).to.equal(byNumber);
    const missing = await runWarta(['tags', 'explain', 'urn:uuid:00000000-0000-0000-0000-000000000000', '--config', file]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.match(/no item urn:uuid:0{8}-.* \(give its number, its urn:uuid: id or its link\)/);
  });
});
