/** Token F1 of extracted text against a hand-marked expectation: words, case-folded, as a multiset. */
export function tokenF1(got: string, want: string): number {
  const tokens = (s: string) => s.toLocaleLowerCase('id').match(/[\p{L}\p{N}]+/gu) ?? [];
  const g = tokens(got);
  const w = tokens(want);
  if (g.length === 0 && w.length === 0) return 1;
  if (g.length === 0 || w.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const t of w) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of g) {
    const n = counts.get(t) ?? 0;
    if (n > 0) {
      common++;
      counts.set(t, n - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / g.length;
  const recall = common / w.length;
  return (2 * precision * recall) / (precision + recall);
}
