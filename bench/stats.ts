/** Median of numbers (the middle of a sorted copy). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile (0..1) of numbers, nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Run `fn` in rounds of `ms` milliseconds and return the median operations per second. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, opts: { rounds?: number; ms?: number } = {}): Promise<number> {
  const rounds = opts.rounds ?? 5;
  const ms = opts.ms ?? 300;
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms) {
      await fn();
      n++;
    }
    rates.push((n * 1000) / (performance.now() - start));
  }
  return median(rates);
}
