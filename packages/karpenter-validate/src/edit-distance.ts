/** Levenshtein distance between two strings, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate nearest to `value` by `distance` (the first in order among equals), with its distance; undefined without candidates. */
export function nearest(value: string, candidates: Iterable<string>, distance: (value: string, candidate: string) => number = editDistance): { candidate: string; distance: number } | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(value, candidate);
    if (!best || d < best.distance) best = { candidate, distance: d };
  }
  return best;
}
