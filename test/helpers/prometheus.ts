import { expect } from 'chai';

/** One sample of the exposition text. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text exposition format 0.0.4: every line is blank, a HELP, a TYPE or a sample
 * `name{label="value",…} value`; every sample belongs to a family declared with HELP and TYPE before it.
 * Throws on the first line that does not conform.
 */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const help = new Set<string>();
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  expect(text.endsWith('\n'), 'ends with a newline').to.equal(true);
  for (const [i, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line === '') continue; // blank lines separate families and are ignored (format 0.0.4)
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      expect(help.has(m[1]!), `${where}: second HELP`).to.equal(false);
      help.add(m[1]!);
      continue;
    }
    if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      expect(types.has(m[1]!), `${where}: second TYPE`).to.equal(false);
      types.set(m[1]!, m[2]!);
      continue;
    }
    m = new RegExp(`^(${NAME})(?:\\{((?:${NAME}="(?:[^"\\\\\\n]|\\\\[\\\\"n])*",?)*)\\})? (\\S+)(?: -?\\d+)?$`).exec(line);
    expect(m, `${where}: not a HELP, TYPE or sample line`).to.not.equal(null);
    const [, name, labelText = '', valueText] = m!;
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    expect(valueText === 'NaN' || !Number.isNaN(value), `${where}: bad value`).to.equal(true);
    const labels: Record<string, string> = {};
    for (const l of labelText.matchAll(new RegExp(`(${NAME})="((?:[^"\\\\]|\\\\.)*)"`, 'g'))) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const family = [name!, name!.replace(/_(bucket|sum|count)$/, '')].find((f) => types.has(f));
    expect(family, `${where}: sample without a TYPE`).to.not.equal(undefined);
    expect(help.has(family!), `${where}: sample without a HELP`).to.equal(true);
    samples.push({ name: name!, labels, value });
  }
  return { samples, types };
}

