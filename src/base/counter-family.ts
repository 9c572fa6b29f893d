/**
 * A labelled counter kept by warta rather than by prom-client, for the families with a series per source
 * (~30,000 series at 10,000 sources). prom-client renders each series anew at every scrape: an array of
 * entries, a WeakMap entry, template strings and joins per series, ~30 times the text it produces (~95 MB for a
 * 3 MB body, bench/scrape.ts). Here a series' text up to its value (`\nname{a="x",b="y"} `) is escaped and built
 * once, when the series is first counted, and a scrape concatenates those with the values. The text is the one
 * prom-client writes for a Counter given the same labels in `labelNames` order (test/unit/base/counter-family.test.ts).
 */
export class CounterFamily<L extends string> {
  readonly name: string;
  readonly #head: string;
  readonly #labelNames: readonly L[];
  readonly #series = new Map<string, { text: string; value: number }>();

  constructor(name: string, help: string, labelNames: readonly L[]) {
    this.name = name;
    this.#head = `# HELP ${name} ${escapeString(help)}\n# TYPE ${name} counter`;
    this.#labelNames = labelNames;
  }

  /** Adds `value` (default 1) to the series of these labels; as prom-client, a negative or non-finite value throws. */
  inc(labels: Readonly<Record<L, string>>, value = 1): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    if (value < 0) throw new Error('It is not possible to decrease a counter');
    const names = this.#labelNames;
    const key = names.length === 1 ? labels[names[0]!] : names.map((n) => labels[n]).join('\u0000');
    let series = this.#series.get(key);
    if (series === undefined) {
      const text = `\n${this.name}{${names.map((n) => `${n}="${escapeString(labels[n]).replace(/"/g, '\\"')}"`).join(',')}} `;
      series = { text, value: 0 };
      this.#series.set(key, series);
    }
    series.value += value;
  }

  /** The series' values summed by one label's value (`warta fetch` reports its pages by outcome). */
  sumBy(label: L): Map<string, number> {
    const at = this.#labelNames.indexOf(label);
    const sums = new Map<string, number>();
    for (const [key, s] of this.#series) {
      const v = this.#labelNames.length === 1 ? key : key.split('\u0000')[at]!;
      sums.set(v, (sums.get(v) ?? 0) + s.value);
    }
    return sums;
  }

  /** The family as prom-client's Registry writes one metric: HELP, TYPE, a line per series, no final newline. */
  render(): string {
    let out = this.#head;
    for (const s of this.#series.values()) out += s.text + valueString(s.value);
    return out;
  }
}

/** prom-client's escaping of HELP text and (before quotes) of label values. */
function escapeString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A counter's sum is finite unless it overflowed; written as prom-client writes it. */
function valueString(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : '-Inf';
}
