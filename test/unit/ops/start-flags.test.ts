/**
 * The daemon runs with the same node flags and malloc setting from `npm start` and from the Docker image (a node
 * flag, such as a cap on the young generation, can only be carried by the command line: both must carry it).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
const dockerfile = readFileSync('Dockerfile', 'utf8');

describe('ops: npm start and the Docker image run the daemon alike', () => {
  it('with the same node flags before bin/warta.js', () => {
    const npmFlags = /\bnode((?:\s+--\S+)*)\s+bin\/warta\.js start/.exec(pkg.scripts.start)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd.at(-2), 'the image runs bin/warta.js start').to.equal('bin/warta.js');
    expect(cmd.slice(1, -2), 'the image\'s flags are npm start\'s').to.deep.equal(npmFlags);
  });

  it('with MALLOC_ARENA_MAX=2', () => {
    expect(pkg.scripts.start).to.match(/MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-2\}/);
    expect(dockerfile).to.match(/^\s+MALLOC_ARENA_MAX=2\b/m);
  });
});
