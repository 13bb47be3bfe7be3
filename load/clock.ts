// The surge's clock: milliseconds on a monotonic timeline that the queen and
// every bee share (each worker has its own timeOrigin; the sum lines them up).

export function clock(): number {
  return performance.timeOrigin + performance.now();
}
