// The surge's clock: milliseconds on a monotonic timeline that the queen and
// every bee share (each worker has its own timeOrigin; the sum lines them up).

export function clock(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The first time at or after `at` (on the surge's clock) that falls on a whole
 * wall-clock second: the probe origin counts arrivals per wall-clock second,
 * so a surge started there has seconds and phases that are the origin's.
 */
export function onWholeWallSecond(at: number): number {
  const wall = Date.now() + (at - clock());
  return at + ((1000 - (wall % 1000)) % 1000);
}
