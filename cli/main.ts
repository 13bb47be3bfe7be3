// The edgecheck command line: dispatches subcommands and maps errors to exit
// codes (0 pass, 1 a required check failed, 2 bad input, 3 could not run, 4 a surge
// inconclusive). Each command is loaded when it is asked for: a short command starts fast.
import { ConfigError } from '../harness/errors.js';
import { redact } from '../harness/secrets.js';
import { formatConfigError } from './formatError.js';

const HELP = `Usage: edgecheck <command> [options]

Declarative conformance and load testing for CDN endpoints.

Commands:
  run       run suites against a target (edgecheck run --help)
  surge     fire a surge plan at a target; export it to k6 (edgecheck surge --help)
  compare   run records side by side, against a baseline, or a history's trend (edgecheck compare --help)
  validate  check targets.yaml, suites and surge plans without touching the network
  import    a target from a CloudFront distribution's configuration (edgecheck import --help)
  edges     a CloudFront distribution's edge addresses and PoPs, from several resolvers (edgecheck edges --help)
  twin      a CDK app for a staging copy of a CloudFront distribution on the probe origin (edgecheck twin --help)
  schema    print the JSON Schemas of targets.yaml, suites and surge plans
  lab       list the lab edges, or run one in the foreground (edgecheck lab --help)
  sign      a signed URL or cookies for a path, as the target's signing: block says
  origin    run the probe origin standalone, to put behind a real CDN (edgecheck origin --help)

Exit codes: 0 all required checks passed; 1 a required check failed (with
            --baseline: a regression); 2 bad command line, config or run record;
            3 the harness could not run; 4 a surge was inconclusive: the load
            generator was the bottleneck.
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
        return await (await import('./runCommand.js')).runCommand(rest);
      case 'surge':
        return await (await import('./surgeCommand.js')).surgeCommand(rest);
      case 'compare':
        return await (await import('./compareCommand.js')).compareCommand(rest);
      case 'lab':
        return await (await import('./labCommand.js')).labCommand(rest);
      case 'sign':
        return await (await import('./signCommand.js')).signCommand(rest);
      case 'origin':
        return await (await import('./originCommand.js')).originCommand(rest);
      case 'import':
        return await (await import('./importCommand.js')).importCommand(rest);
      case 'edges':
        return await (await import('./edgesCommand.js')).edgesCommand(rest);
      case 'twin':
        return await (await import('./twinCommand.js')).twinCommand(rest);
      case 'validate':
        return await (await import('./validateCommand.js')).validateCommand(rest);
      case 'schema':
        process.stdout.write(JSON.stringify((await import('./jsonSchemas.js')).jsonSchemas(), null, 2) + '\n');
        return 0;
      default:
        process.stderr.write(`edgecheck: unknown command '${command}'\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    return reportError(err);
  }
}

/**
 * The exit code for each error code: bad input is 2, a harness that could not
 * run is 3. A step's codes (E_TARGET_UNREACHABLE, E_STEP_TIMEOUT, ...) end a
 * check, not the run: reaching here, they too mean the run could not go on.
 */
const EXIT_CODES = new Map<string, number>([
  ['E_CONFIG', 2],
  // node:util parseArgs, on a flag the command does not take
  ['ERR_PARSE_ARGS_UNKNOWN_OPTION', 2],
  ['ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 2],
  ['ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL', 2],
  ['E_HARNESS', 3],
  ['E_TARGET_UNREACHABLE', 3],
  ['E_STEP_TIMEOUT', 3],
  ['E_TLS_HANDSHAKE', 3],
  ['E_RESPONSE_TOO_LARGE', 3],
  ['E_HTTP', 3],
  ['E_UNMET_NEED', 3],
]);

function reportError(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  const exit = typeof code === 'string' ? EXIT_CODES.get(code) : undefined;
  if (err instanceof ConfigError) {
    process.stderr.write(formatConfigError(err));
  } else if (exit === 2) {
    process.stderr.write(`edgecheck: ${redact((err as Error).message)}\n`);
  } else {
    // an error without a code of ours is a bug of ours: say so (EDGECHECK_DEBUG shows its stack)
    const message = redact(err instanceof Error ? err.message : String(err));
    process.stderr.write(`edgecheck: ${exit === undefined ? 'internal error: ' : ''}${message}\n`);
    if (process.env['EDGECHECK_DEBUG'] && err instanceof Error) process.stderr.write(redact(err.stack ?? '') + '\n');
  }
  return exit ?? 3;
}
