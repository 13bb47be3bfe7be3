// The object the tools and the bees fetch in a bench: programmed on the probe
// origin under its own key, cached at the edge by one request first, so every
// tool measures hits of the same object.
import type { NamedTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import type { OpenTarget } from '../harness/target/openTarget.js';
import { urlPath } from '../load/requestMix.js';
import { SurgeOrigin, surgeCheckKey } from '../load/surgeOrigin.js';

/** `run`: names the bench in the key ("bench-h2"); `body`: the object's body; `clear()` once the tools are done. */
export async function cachedBenchPath(
  named: NamedTarget,
  target: OpenTarget,
  run: string,
  body: string,
): Promise<{ path: string; address: string; clear(): Promise<void> }> {
  const origin = target.origin;
  if (!origin) throw new ConfigError(`bench: target '${named.name}' has no probe origin to serve the bench path`);
  const route = target.routes['default']?.path ?? '/';
  const tools = new SurgeOrigin(origin, surgeCheckKey(`${run}-${Date.now().toString(36)}`, 'tools'));
  await tools.program([{ path: '/index.html', object: { headers: { 'Cache-Control': 'max-age=600' }, body } }]);
  const path = urlPath(route, tools.key, '/index.html');
  const address = target.addresses[0] ?? target.url.hostname;
  await target.http.send({
    method: 'GET',
    url: new URL(path, target.url),
    ...(target.addresses[0] ? { address } : {}),
    timeoutMs: 10_000,
  });
  return { path, address, clear: () => tools.clear() };
}
