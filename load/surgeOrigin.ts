// The surge's side of the probe origin: every plan path is programmed under
// the surge's own check key, and the origin's count of requests for that key
// is the ground truth of offload — how much of the surge reached the origin.
import { checkKeyFor } from '../harness/origin/protocol.js';
import { renderObject } from '../harness/origin/renderObject.js';
import type { OriginControl } from '../harness/origin/originControl.js';
import type { PlanPath } from './plan.js';

export function surgeCheckKey(runId: string, plan: string): string {
  return checkKeyFor(runId, `surge.${plan}`);
}

export class SurgeOrigin {
  constructor(
    private readonly origin: OriginControl,
    readonly key: string,
  ) {}

  /** Programs each path's object; the first also answers for the key itself. */
  async program(paths: ReadonlyArray<Pick<PlanPath, 'path' | 'object'>>): Promise<void> {
    const first = paths[0];
    if (first) await this.origin.setObject(this.key, renderObject(first.object));
    for (const p of paths) await this.origin.setObject(this.key, renderObject(p.object), p.path);
  }

  /** Requests the origin saw for the surge in [since, until), wall-clock ms. */
  count(since: number, until: number): Promise<number> {
    return this.origin.count([this.key], { since, until });
  }

  async clear(): Promise<void> {
    await this.origin.clear(this.key).catch(() => undefined);
  }
}
