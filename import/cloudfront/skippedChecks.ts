// Which checks an imported target would skip, and why, asked of the runner's
// own needs (harness/runner/needs.ts) before anything touches the network.
// What the import cannot know — the probe origin, the signing key, the
// invalidation credentials — counts as supplied: the reasons left are the
// distribution's.
import type { LoadedSuite } from '../../harness/config/load.js';
import type { TargetConfig } from '../../harness/config/targetsSchema.js';
import { missingNeed } from '../../harness/runner/needs.js';
import { plannedTarget } from '../../harness/target/plannedTarget.js';

const SUPPLIED_BY_THE_USER = new Set(['origin', 'signing', 'invalidation', 'surge']);

export interface SkippedCheck {
  /** suite.check */
  id: string;
  reason: string;
}

export async function skippedChecks(
  name: string,
  config: TargetConfig,
  file: string,
  suites: LoadedSuite[],
): Promise<SkippedCheck[]> {
  const target = plannedTarget({ name, config, file });
  try {
    return suites.flatMap((suite) =>
      suite.checks.flatMap((check) => {
        const reason = missingNeed(check, target, SUPPLIED_BY_THE_USER);
        return reason === undefined ? [] : [{ id: `${suite.suite}.${check.id}`, reason }];
      }),
    );
  } finally {
    await target.close();
  }
}
