// `edgecheck compare`: saved run records side by side (or a history's trend),
// judged against a baseline when one is given.
import type { RunRecord } from '../harness/record.js';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../harness/errors.js';
import {
  compareRuns,
  comparisonExitCode,
  FAIL_ON,
  judge,
  type CompareInput,
  type Comparison,
  type FailOn,
} from '../reports/compare/compare.js';
import { headline } from '../reports/compare/cellText.js';
import { renderComparisonJson, renderTrendJson } from '../reports/compare/json.js';
import { renderComparisonHtml } from '../reports/compare/html.js';
import { renderComparisonMarkdown, renderTrendMarkdown } from '../reports/compare/markdown.js';
import { readHistory, readRunRecord } from '../reports/compare/readRecord.js';
import { renderComparisonTerminal, renderTrendTerminal } from '../reports/compare/terminal.js';
import { DEFAULT_TREND_RUNS, trendOf } from '../reports/compare/trend.js';
import { writeReportFile } from '../reports/reportFile.js';
import { parsePositiveInt } from './flags.js';

export const COMPARE_HELP = `Usage: edgecheck compare RUN.json RUN.json [RUN.json ...] [options]
       edgecheck compare --baseline BASE/run.json RUN.json [options]
       edgecheck compare --history DIR [--last N] [options]

Puts run records side by side: a row per check, a column per run, the verdict
and the figures that matter (served_by and Age, TLS protocol and days left,
propagation p95 and the slowest edge, denial codes, redirects; a surge's p99,
error rate and hit ratio per phase, its own connections, and for a plan mixing
h1 and h2 each protocol's share of the requests, p99 and error rate). The
checks that differ come first; a cell that differs from the first run's is
marked.

Options:
  --baseline FILE      the run the others are judged against (the first column);
                       exit 1 when a required check that passed there fails now,
                       or a surge threshold that held there breaches now
  --fail-on WHAT       regression (default with --baseline): exit 1 on a regression;
                       any-failure: exit 1 when a run judged failed a required
                       check or breached a threshold at all
  --history DIR        a trend instead: DIR's run records (*.json, */run.json) of
                       one target by time, per check its last N verdicts, the
                       checks that flip (flaky) listed apart
  --last N             runs in the trend (default: ${DEFAULT_TREND_RUNS})
  --format FORMAT      terminal (default), markdown (for $GITHUB_STEP_SUMMARY or a
                       pull-request comment), json, or html (the last run's html
                       report with the comparison after its summary; needs --out)
  --out FILE           write the comparison there instead of printing it
  -h, --help           this help

Exit codes: 0 no regression (or not judged); 1 a regression, or with
--fail-on any-failure a failed run; 2 bad command line or a bad run record.
`;

const FORMATS = ['terminal', 'markdown', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

export async function compareCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      baseline: { type: 'string' },
      'fail-on': { type: 'string' },
      history: { type: 'string' },
      last: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out.write(COMPARE_HELP);
    return 0;
  }
  const format = parseFormat(values.format);
  const failOn = parseFailOn(values['fail-on']);
  const color = values.out === undefined && format === 'terminal' && isColorTerminal(out);
  if (values.history !== undefined) {
    if (positionals.length > 0 || values.baseline !== undefined || failOn !== undefined)
      throw new ConfigError(
        'compare --history takes no run records, --baseline or --fail-on (edgecheck compare --help)',
      );
    const trend = trendOf(readHistory(values.history), parsePositiveInt('--last', values.last, DEFAULT_TREND_RUNS));
    const text =
      format === 'json'
        ? renderTrendJson(trend)
        : format === 'markdown'
          ? renderTrendMarkdown(trend)
          : renderTrendTerminal(trend, color);
    emit(text, values.out, out, `${trend.runs.length} runs, ${trend.flaky} flaky`);
    return 0;
  }
  if (values.last !== undefined) throw new ConfigError('compare: --last goes with --history');
  const files = [...(values.baseline !== undefined ? [values.baseline] : []), ...positionals];
  if (files.length < 2)
    throw new ConfigError(
      'compare: expected two or more run records, or --baseline and one (edgecheck compare --help)',
    );
  if (format === 'html' && values.out === undefined) throw new ConfigError('compare --format html needs --out FILE');
  const inputs = files.map(readRunRecord);
  const { comparison, exit } = compareInputs(inputs, { baseline: values.baseline !== undefined, failOn });
  const last = inputs.at(-1)!.record;
  emit(renderComparison(comparison, format, color, last), values.out, out, verdictLine(comparison));
  return exit;
}

/**
 * The comparison of these runs; judged against the first when it is a
 * baseline or --fail-on regression asks for one; and the exit code it asks for.
 */
export function compareInputs(
  inputs: CompareInput[],
  opts: { baseline: boolean; failOn: FailOn | undefined },
): { comparison: Comparison; exit: number } {
  const failOn = opts.failOn ?? (opts.baseline ? 'regression' : undefined);
  const compared = compareRuns(inputs);
  const comparison = opts.baseline || failOn === 'regression' ? judge(compared, inputs) : compared;
  return { comparison, exit: comparisonExitCode(comparison, failOn, opts.baseline) };
}

export function renderComparison(comparison: Comparison, format: Format, color: boolean, last?: RunRecord): string {
  if (format === 'html' && last) return renderComparisonHtml(comparison, last);
  if (format === 'json') return renderComparisonJson(comparison);
  if (format === 'markdown') return renderComparisonMarkdown(comparison);
  return renderComparisonTerminal(comparison, color);
}

function verdictLine(c: Comparison): string {
  const regressions = c.regressions === undefined ? '' : `, ${c.regressions.length} regressions`;
  return `${headline(c)}${regressions}`;
}

function emit(text: string, file: string | undefined, out: NodeJS.WritableStream, summary: string): void {
  if (file === undefined) {
    out.write(text);
    return;
  }
  const written = writeReportFile(dirname(file), basename(file), text);
  out.write(`edgecheck compare: ${summary}; wrote ${written}\n`);
}

export function isColorTerminal(stream: NodeJS.WritableStream): boolean {
  return Boolean((stream as { isTTY?: boolean }).isTTY) && !process.env['NO_COLOR'];
}

function parseFormat(value: string | undefined): Format {
  if (value === undefined) return 'terminal';
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new ConfigError([{ message: `--format: unknown format '${value}'`, allowed: FORMATS.join(', ') }]);
}

export function parseFailOn(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  if ((FAIL_ON as readonly string[]).includes(value)) return value as FailOn;
  throw new ConfigError([{ message: `--fail-on: unknown value '${value}'`, allowed: FAIL_ON.join(', ') }]);
}
