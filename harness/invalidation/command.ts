// `provider: command`: any other purge, as a program edgecheck runs with the
// paths in its argv (`[./purge.sh, "{paths}"]`): its exit status says whether
// it was accepted, and its output is kept for the report.
import { execFile } from 'node:child_process';
import { z } from 'zod';
import { parseDuration } from '../config/duration.js';
import { duration } from '../config/schemaParts.js';
import { redact } from '../secrets.js';
import { InvalidationRefused, type InvalidationProvider, type ProviderKind } from './provider.js';

const schema = z.strictObject({
  provider: z.literal('command'),
  /**
   * the program and its arguments; an argument `{paths}` becomes one argument per path,
   * `{path}` in one runs it per path
   */
  argv: z.array(z.string()).min(1),
  timeout: duration.optional(),
});
export type CommandInvalidationConfig = z.infer<typeof schema>;

const DEFAULT_TIMEOUT_MS = 60_000;
/** the output kept for the report */
const OUTPUT_LIMIT = 2000;

export const commandProvider: ProviderKind<typeof schema> = {
  name: 'command',
  schema,
  supports: { by: ['url', 'prefix', 'tag'], soft: false },
  create(config): InvalidationProvider {
    const timeoutMs =
      config.timeout !== undefined ? (parseDuration(config.timeout) ?? DEFAULT_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS;
    let runs = 0;
    return {
      async invalidate(req) {
        if (req.soft) throw new InvalidationRefused('command', 'a command has no soft purge');
        const items = req.by === 'tag' ? req.tags : req.paths;
        const perPath = config.argv.some((a) => a.includes('{path}'));
        const invocations = perPath ? items.map((item) => expand(config.argv, [item])) : [expand(config.argv, items)];
        const outputs: string[] = [];
        for (const argv of invocations) outputs.push(await run(argv, timeoutMs, req.signal));
        runs++;
        return { id: `command-${runs}`, detail: tail(outputs.join('\n')) };
      },
      // the command's exit was its answer: it offers no status to ask later
      status: async () => ({ state: 'unknown' }),
    };
  },
};

function expand(argv: string[], items: string[]): string[] {
  return argv.flatMap((arg) => (arg === '{paths}' ? items : [arg.replaceAll('{path}', items[0] ?? '')]));
}

function run(argv: string[], timeoutMs: number, signal: AbortSignal): Promise<string> {
  const [program, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: timeoutMs, signal, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (!err) return resolve(output);
      const how = typeof err.code === 'number' ? `exited ${err.code}` : (err.code ?? err.message);
      reject(new InvalidationRefused('command', `${program} ${how}${output ? `: ${tail(output)}` : ''}`));
    });
  });
}

function tail(text: string): string {
  const safe = redact(text);
  return safe.length > OUTPUT_LIMIT ? `...${safe.slice(-OUTPUT_LIMIT)}` : safe;
}
