// The edgecheck command line: dispatches subcommands and maps errors to exit
// codes (0 pass, 1 a required check failed, 2 bad input, 3 could not run).
import { ConfigError, EdgecheckError } from '../harness/errors.js';
import { redact } from '../harness/secrets.js';
import { jsonSchemas } from './jsonSchemas.js';
import { formatConfigError } from './formatError.js';
import { labCommand } from './labCommand.js';
import { originCommand } from './originCommand.js';
import { RUN_HELP, runCommand } from './runCommand.js';
import { surgeCommand } from './surgeCommand.js';

const HELP = `Usage: edgecheck <command> [options]

Declarative conformance and load testing for CDN endpoints.

Commands:
  run       run suites against a target (edgecheck run --help)
  surge     fire a surge plan at a target; export it to k6 (edgecheck surge --help)
  schema    print the JSON Schemas of targets.yaml, suites and surge plans
  lab       list the lab edges, or run one in the foreground (edgecheck lab --help)
  origin    run the probe origin standalone, to put behind a real CDN (edgecheck origin --help)

Exit codes: 0 all required checks passed; 1 a required check failed;
            2 bad command line or config; 3 the harness could not run.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      case 'run':
        return await runCommand(rest);
      case 'surge':
        return await surgeCommand(rest);
      case 'lab':
        return await labCommand(rest);
      case 'origin':
        return await originCommand(rest);
      case 'schema':
        process.stdout.write(JSON.stringify(jsonSchemas(), null, 2) + '\n');
        return 0;
      default:
        process.stderr.write(`edgecheck: unknown command '${command}'\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    return reportError(err);
  }
}

function reportError(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(formatConfigError(err));
    return 2;
  }
  const code = (err as NodeJS.ErrnoException).code;
  if (code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`edgecheck: ${(err as Error).message}\n`);
    return 2;
  }
  const message = redact(err instanceof Error ? err.message : String(err));
  process.stderr.write(`edgecheck: ${err instanceof EdgecheckError ? '' : 'internal error: '}${message}\n`);
  if (process.env['EDGECHECK_DEBUG'] && err instanceof Error) process.stderr.write(redact(err.stack ?? '') + '\n');
  return 3;
}

export { RUN_HELP };
