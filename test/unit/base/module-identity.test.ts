import { expect } from 'chai';
import { WartaError } from '../../../src/base/errors.js';

// src/ imports some modules when first used (store/open.ts: the PostgreSQL driver; commands/*: each command's
// modules). Under the tests' loader a dynamic import() must reach the same module instance as a static import,
// as it does in production: with .mocharc's old `import=tsx`, mocha require()d the test files and tsx compiled
// them to CommonJS, so a dynamic import() loaded a second copy of each module and its WartaError failed
// `instanceof` (the revert d05a0af). `import=tsx/esm` loads everything as ES modules.
describe('module identity under the tests loader', () => {
  it('a dynamic import() gives the module a static import gave', async () => {
    const dynamic = await import('../../../src/base/errors.js');
    expect(dynamic.WartaError === WartaError).to.equal(true);
    expect(new dynamic.WartaError('storage', 'x')).to.be.instanceOf(WartaError);
  });
});
