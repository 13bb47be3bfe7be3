// Whether a real edge's programs are here: where they are not, a test is
// skipped with the apt-get line, except in CI, where a missing edge fails.
import type { Test } from 'tap';
import { aptGetLine, missingBinaries, type RealEdge } from '../../lab/realEdges/index.js';

export function realEdgeInstalled(t: Test, edge: RealEdge): boolean {
  const missing = missingBinaries(edge);
  if (missing.length === 0) return true;
  const why = `${missing.join(', ')} not installed; install with: ${aptGetLine(edge)}`;
  if (process.env['CI'] === 'true') t.fail(`CI must run the real edges: ${why}`);
  else t.skip(why, () => undefined);
  return false;
}
