import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listenProblem, storageProblem } from '../../../src/config/host-checks.js';
import { tempDir } from '../../helpers/tmp.js';

describe('config: what start would fail on, checked first (host-checks)', () => {
  describe('storage.path, against real files', () => {
    let tmp: ReturnType<typeof tempDir>;
    before(() => {
      tmp = tempDir();
      writeFileSync(join(tmp.dir, 'a-file'), '');
      mkdirSync(join(tmp.dir, 'a-dir'));
    });
    after(() => tmp.cleanup());

    const cases: [name: string, path: (dir: string) => string, problem: RegExp | null][] = [
      ['a new file in an existing directory', (d) => join(d, 'warta.db'), null],
      ['a new file in directories still to create', (d) => join(d, 'x', 'y', 'warta.db'), null],
      ['an existing file', (d) => join(d, 'a-file'), null],
      ['in-memory', () => ':memory:', null],
      ['under a file', (d) => join(d, 'a-file', 'warta.db'), /cannot create the database: .*a-file is a file, not a directory$/],
      ['deeper under a file', (d) => join(d, 'a-file', 'x', 'warta.db'), /a-file is a file, not a directory$/],
      ['a directory', (d) => join(d, 'a-dir'), /a-dir is a directory; name the database file inside it \(e\.g\. .*a-dir\/warta\.db\)$/],
    ];
    for (const [name, path, problem] of cases) {
      it(`${name}: ${problem ? 'refused' : 'fine'}`, () => {
        const p = storageProblem(path(tmp.dir));
        if (problem === null) expect(p).to.equal(null);
        else expect(p).to.match(problem);
      });
    }
  });

  describe('server.listen, against a described machine', () => {
    const machine = { addresses: ['127.0.0.1', '::1', '192.168.1.20'], uid: 1000, unprivilegedPortStart: 1024 };
    const cases: [listen: { host: string; port: number }, host: typeof machine, problem: RegExp | null][] = [
      [{ host: '127.0.0.1', port: 8080 }, machine, null],
      [{ host: '0.0.0.0', port: 8080 }, machine, null],
      [{ host: '::', port: 8080 }, machine, null],
      [{ host: '::1', port: 8080 }, machine, null],
      [{ host: '192.168.1.20', port: 8080 }, machine, null],
      [{ host: 'localhost', port: 8080 }, machine, null],
      [{ host: '10.0.0.9', port: 8080 }, machine, /^10\.0\.0\.9 is not an address of this machine/],
      [{ host: '127.0.0.1', port: 80 }, machine, /^port 80 needs root here \(ports below 1024 are privileged\)/],
      [{ host: '127.0.0.1', port: 80 }, { ...machine, uid: 0 }, null],
      [{ host: '0.0.0.0', port: 80 }, { ...machine, unprivilegedPortStart: 0 }, null],
    ];
    for (const [listen, host, problem] of cases) {
      it(`${listen.host}:${listen.port} as uid ${host.uid}: ${problem ? 'refused' : 'fine'}`, () => {
        const p = listenProblem(listen, host);
        if (problem === null) expect(p).to.equal(null);
        else expect(p).to.match(problem);
      });
    }
  });
});
