// Timing helpers for workloads that run in the page.

/** Runs `fn` repeatedly for at least `minMs`, returning milliseconds per call (best of `rounds`). */
export function msPerCall(fn, minMs = 150, rounds = 3) {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      fn();
      calls += 1;
      elapsed = performance.now() - start;
    } while (elapsed < minMs);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

/** The fastest of `times` runs of `fn`, in milliseconds. */
export function bestMs(times, fn) {
  let ms = Infinity;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    fn();
    ms = Math.min(ms, performance.now() - started);
  }
  return ms;
}

export const utf8Bytes = (text) => new TextEncoder().encode(text).length;
