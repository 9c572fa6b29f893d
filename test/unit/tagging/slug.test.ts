import { expect } from 'chai';
import { slugify } from '../../../src/tagging/index.js';

describe('tagging/slug: slugify', () => {
  const cases: [string, string][] = [
    ['Hubungan Rusia dengan Belarusia', 'hubungan-rusia-dengan-belarusia'],
    ['  Politik & Hukum  ', 'politik-hukum'],
    ['Lukašenko', 'lukasenko'],
    ["Salat Jum'at", 'salat-jum-at'],
    ['G20 / KTT 2024', 'g20-ktt-2024'],
    ['--Opini--', 'opini'],
    ['İstanbul', 'istanbul'],
    ['Москва', ''],
    ['', ''],
  ];
  for (const [name, slug] of cases) {
    it(`${JSON.stringify(name)} → ${JSON.stringify(slug)}`, () => expect(slugify(name)).to.equal(slug));
  }
});
