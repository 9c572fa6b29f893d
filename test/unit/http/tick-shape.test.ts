import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TICK_SHAPE = fileURLToPath(new URL('../../../src/http/tick-shape.ts', import.meta.url));

/**
 * In a child node with V8's natives syntax: queue nextTicks, let the queue empty, run full GCs (the daemon's heap
 * reducer does, and V8 does when it likes), queue one more, and print the feedback of nextTick's literal, whose
 * slots say MONOMORPHIC (fast) or MEGAMORPHIC (a runtime call per property, for good).
 */
function literalFeedbackAfterGc(keep: boolean): string[] {
  const script = `
    ${keep ? `const { keepTickShape } = await import(${JSON.stringify(TICK_SHAPE)}); keepTickShape();` : ''}
    for (let i = 0; i < 1000; i++) process.nextTick(() => {}, i);
    await new Promise((r) => setTimeout(r, 10));
    gc(); gc();
    await new Promise((r) => setTimeout(r, 10));
    process.nextTick(() => {});
    await new Promise((r) => setTimeout(r, 10));
    %DebugPrint(process.nextTick);
  `;
  // A plain .mjs file (tsx would pass an -e script through esbuild, which does not know %DebugPrint).
  const dir = mkdtempSync(join(tmpdir(), 'warta-tick-shape-'));
  const file = join(dir, 'probe.mjs');
  writeFileSync(file, script);
  // V8 prints with C's stdio: into a file, since on a pipe node made non-blocking it drops what does not fit.
  const out = openSync(join(dir, 'out'), 'w');
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', file], { encoding: 'utf8', stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  const printed = readFileSync(join(dir, 'out'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  expect(r.status, r.stderr).to.equal(0);
  return printed.split('\n').filter((l) => l.includes('DefineKeyedOwnPropertyInLiteral')).map((l) => l.trim());
}

describe('http: nextTick stays on the fast path after a full GC', function () {
  this.timeout(90_000); // two child nodes with tsx on a loaded machine
  it('without keepTickShape a GC with the queue empty turns the literal MEGAMORPHIC (the cost tick-shape.ts removes)', () => {
    const slots = literalFeedbackAfterGc(false);
    expect(slots.some((s) => s.includes('MEGAMORPHIC')), slots.join('\n')).to.equal(true);
  });

  it('with keepTickShape every slot of the literal stays MONOMORPHIC', () => {
    const slots = literalFeedbackAfterGc(true);
    expect(slots.length, 'no DefineKeyedOwnPropertyInLiteral slots printed: has this Node changed nextTick?').to.be.greaterThan(0);
    expect(slots.every((s) => s.includes('MONOMORPHIC')), slots.join('\n')).to.equal(true);
  });
});
