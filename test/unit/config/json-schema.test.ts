import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { configJsonSchema } from '../../../src/config/json-schema.js';

describe('config: JSON Schema', () => {
  it('the shipped config/warta.schema.json is what `warta schema` generates (regenerate it when the schema changes)', () => {
    const shipped = JSON.parse(readFileSync(new URL('../../../config/warta.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(shipped).to.deep.equal(configJsonSchema());
  });

  it('describes every section, forbids unknown keys and carries patterns editors can check', () => {
    const s = configJsonSchema() as { properties: Record<string, { additionalProperties?: boolean; properties?: Record<string, { pattern?: string }> }>; additionalProperties: boolean };
    expect(Object.keys(s.properties)).to.include.members(['server', 'storage', 'fetch', 'sources', 'tags', 'outputs', 'log']);
    expect(s.additionalProperties).to.equal(false);
    expect(s.properties.fetch!.additionalProperties).to.equal(false);
    expect(new RegExp(s.properties.fetch!.properties!.timeout!.pattern!).test('20s')).to.equal(true);
    expect(new RegExp(s.properties.fetch!.properties!.timeout!.pattern!).test('soon')).to.equal(false);
  });

  it('is referenced by the shipped config for yaml-language-server', () => {
    const text = readFileSync(new URL('../../../config/warta.yaml', import.meta.url), 'utf8');
    expect(text.split('\n')[0]).to.equal('# yaml-language-server: $schema=./warta.schema.json');
  });
});
