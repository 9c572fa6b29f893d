import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

// `prepare` runs on npm ci, npm link and on npx's first call in a checkout; it compiled an up-to-date dist/
// every time (issue 16: the first `npx warta` took 7.8 s). It now compiles only when an input is newer than
// the last build. Checked on a one-file project beside the real script, tsc and tsconfig.
describe('scripts/build.mjs --if-stale (the prepare script)', function () {
  this.timeout(120_000);
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    tmp = tempDir();
    for (const f of ['scripts', 'tsconfig.json', 'package.json']) cpSync(join(REPO, f), join(tmp.dir, f), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(tmp.dir, 'node_modules'));
    mkdirSync(join(tmp.dir, 'src'));
    writeFileSync(join(tmp.dir, 'src', 'a.ts'), 'export const a: number = 1;\n');
    // The bundle's entry (bin/warta.js runs dist/bundle/cli.js).
    writeFileSync(join(tmp.dir, 'src', 'cli.ts'), "export { a } from './a.js';\n");
  });
  const valueIn = (file: string) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', `import('${join(tmp.dir, 'dist', file)}').then((m) => console.log(m.a))`], { encoding: 'utf8' }).stdout;
  after(() => tmp.cleanup());

  const prepare = () => spawnSync(process.execPath, [join(tmp.dir, 'scripts', 'build.mjs'), '--if-stale'], { cwd: tmp.dir, encoding: 'utf8' });
  const built = () => statSync(join(tmp.dir, 'dist', 'a.js')).mtimeMs;

  it('compiles when there is no build yet', () => {
    const r = prepare();
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(existsSync(join(tmp.dir, 'dist', 'a.js'))).to.equal(true);
    expect(existsSync(join(tmp.dir, 'dist', '.build-stamp'))).to.equal(true);
    expect(valueIn('bundle/cli.js')).to.equal('1\n');
  });

  it('does nothing when no input changed since', () => {
    const before = built();
    const r = prepare();
    expect(r.status).to.equal(0);
    expect(r.stdout).to.match(/dist\/ is up to date/);
    expect(built()).to.equal(before);
  });

  it('compiles again when a source is newer than the last build', () => {
    const later = new Date(Date.now() + 5_000);
    writeFileSync(join(tmp.dir, 'src', 'a.ts'), 'export const a: number = 2;\n');
    utimesSync(join(tmp.dir, 'src', 'a.ts'), later, later);
    const r = prepare();
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).not.to.match(/up to date/);
    expect(valueIn('a.js')).to.equal('2\n');
    expect(valueIn('bundle/cli.js'), 'the bundle is made again too').to.equal('2\n');
  });

  it('builds again when the bundle is missing (a dist/ from before it), though no input changed', () => {
    const past = new Date(Date.now() - 3_600_000);
    for (const f of ['a.ts', 'cli.ts']) utimesSync(join(tmp.dir, 'src', f), past, past);
    prepare();
    expect(prepare().stdout, 'the build is up to date').to.match(/up to date/);
    rmSync(join(tmp.dir, 'dist', 'bundle'), { recursive: true });
    const r = prepare();
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).not.to.match(/up to date/);
    expect(valueIn('bundle/cli.js')).to.equal('2\n');
  });

  it('builds again when only package-lock.json changed (the bundle holds the packages)', () => {
    expect(prepare().stdout, 'the build is up to date').to.match(/up to date/);
    const later = new Date(Date.now() + 7_000);
    writeFileSync(join(tmp.dir, 'package-lock.json'), '{}\n');
    utimesSync(join(tmp.dir, 'package-lock.json'), later, later);
    const r = prepare();
    expect(r.status, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).not.to.match(/up to date/);
  });

  it('fails, and stamps nothing, when tsc fails', () => {
    const later = new Date(Date.now() + 10_000);
    writeFileSync(join(tmp.dir, 'src', 'a.ts'), 'export const a: number = "not a number";\n');
    utimesSync(join(tmp.dir, 'src', 'a.ts'), later, later);
    expect(prepare().status).to.not.equal(0);
    expect(prepare().stdout, 'still stale after a failed build').not.to.match(/up to date/);
  });
});
