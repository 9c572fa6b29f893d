import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import semver from 'semver';

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');

// `npm ci` prints `npm warn EBADENGINE` for every installed package whose `engines.node` the running Node does
// not satisfy (issue 16: sanitize-html 2.18 wants >= 22.12 while the README says 20.19). The lock file records
// each package's engines, so the check needs no network: every Node we say we support must satisfy them all.
describe('package-lock.json: every dependency supports the Node versions warta names', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
  const dockerNode = /^FROM node:(\d+)/m.exec(read('Dockerfile'))?.[1];

  const supported = [
    { what: `the oldest Node package.json allows (${pkg.engines.node})`, version: semver.minVersion(pkg.engines.node)!.version },
    { what: `the Docker image's Node ${dockerNode}`, version: `${dockerNode}.0.0` },
  ];

  it('package.json and the README name the same minimum Node', () => {
    const readme = /Node\.js ≥ (\d+\.\d+)/.exec(read('README.md'))?.[1];
    expect(readme, 'README "You need Node.js ≥ …"').to.be.a('string');
    expect(semver.minVersion(pkg.engines.node)!.version).to.equal(`${readme}.0`);
  });

  for (const { what, version } of supported) {
    it(`${what}: no EBADENGINE`, () => {
      const refused: string[] = [];
      for (const [path, entry] of Object.entries(lock.packages)) {
        // Old lock entries may carry engines as an array of strings; npm ignores those.
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        if (path === '' || range === undefined) continue;
        if (!semver.satisfies(version, range)) refused.push(`${path.replace(/^.*node_modules\//, '')} wants node ${range}`);
      }
      expect(refused, `pin versions that support Node ${version}, or raise engines and the README`).to.deep.equal([]);
    });
  }
});
