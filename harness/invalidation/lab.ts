// `provider: lab`: the reference lab's own invalidation API
// (lab/referenceEdge/invalidationApi.ts), CloudFront-like: create, then ask
// until Completed. A lab target brings this block itself.
import { Agent, request } from 'undici';
import { z } from 'zod';
import { InvalidationRefused, type InvalidationProvider, type ProviderKind } from './provider.js';

const schema = z.strictObject({
  provider: z.literal('lab'),
  /** the API's base URL, http://127.0.0.1:PORT */
  api: z.url({ protocol: /^https?$/ }),
  token: z.string().min(1),
});
export type LabInvalidationConfig = z.infer<typeof schema>;

interface ApiAnswer {
  id?: string;
  status?: string;
  error?: string;
}

export const labProvider: ProviderKind<typeof schema> = {
  name: 'lab',
  schema,
  supports: { by: ['url', 'prefix'], soft: true },
  create(config): InvalidationProvider {
    const dispatcher = new Agent();
    const call = async (
      method: 'GET' | 'POST',
      path: string,
      signal: AbortSignal,
      body?: object,
    ): Promise<ApiAnswer> => {
      let res;
      try {
        res = await request(new URL(path, config.api), {
          method,
          headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
          ...(body ? { body: JSON.stringify(body) } : {}),
          dispatcher,
          signal,
        });
      } catch (err) {
        throw new InvalidationRefused(
          'lab',
          `the invalidation API at ${config.api} did not answer: ${(err as Error).message}`,
        );
      }
      const answer = (await res.body.json().catch(() => ({}))) as ApiAnswer;
      if (res.statusCode >= 300) throw new InvalidationRefused('lab', `${res.statusCode} ${answer.error ?? ''}`.trim());
      return answer;
    };
    return {
      async invalidate(req) {
        if (req.by === 'tag') throw new InvalidationRefused('lab', 'the lab invalidates by URL or prefix only');
        const answer = await call('POST', '/v1/invalidations', req.signal, { paths: req.paths, soft: req.soft });
        return { id: answer.id ?? '?', detail: answer.status ?? '' };
      },
      async status(handle, signal) {
        const answer = await call('GET', `/v1/invalidations/${encodeURIComponent(handle.id)}`, signal);
        return { state: answer.status === 'Completed' ? 'completed' : 'in_progress', detail: answer.status ?? '' };
      },
      close: () => dispatcher.close(),
    };
  },
};
