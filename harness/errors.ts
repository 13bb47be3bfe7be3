// Typed errors with stable codes: the CLI maps them to exit codes and reporters
// turn them into a diagnosis instead of a stack trace.
import type { StepError } from './record.js';
import { redact } from './secrets.js';

/** A position in a YAML file, 1-based, as a compiler prints it. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
  /** the text of that line, for the caret display */
  lineText?: string;
}

export class EdgecheckError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One thing wrong in a config file or the command line. */
export interface ConfigProblem {
  message: string;
  position?: SourcePosition;
  /** a few words printed after the caret: what belongs at that spot */
  label?: string;
  /** what would have been accepted there */
  allowed?: string;
}

/** Bad configuration or command line: exit 2. Carries every problem found, not just the first. */
export class ConfigError extends EdgecheckError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[] | string) {
    const list = typeof problems === 'string' ? [{ message: problems }] : problems;
    super('E_CONFIG', list.map((p) => p.message).join('; '));
    this.problems = list;
  }
}

/** The harness could not run (lab did not start, origin control unreachable): exit 3. */
export class HarnessError extends EdgecheckError {
  constructor(message: string) {
    super('E_HARNESS', message);
  }
}

// The errors below end a step, not the run: the step records {code, message}
// and its check fails with the message as the reason.

/** The target could not be reached: refused, unresolvable, no route. */
export class TargetUnreachable extends EdgecheckError {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super('E_TARGET_UNREACHABLE', message);
  }
}

/** A step, or the check around it, ran out of time before it had its answer. */
export class StepTimeout extends EdgecheckError {
  constructor(
    readonly timeoutMs: number,
    message = `no answer within ${timeoutMs} ms`,
  ) {
    super('E_STEP_TIMEOUT', message);
  }
}

/** The TLS handshake of an HTTPS request failed: an untrusted or mismatched certificate, no common protocol. */
export class TlsHandshakeFailed extends EdgecheckError {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super('E_TLS_HANDSHAKE', message);
  }
}

/** A response body went past the read limit: the rest is not read, so an edge cannot exhaust the harness. */
export class ResponseTooLarge extends EdgecheckError {
  constructor(
    message: string,
    readonly limitBytes: number,
  ) {
    super('E_RESPONSE_TOO_LARGE', message);
  }
}

/** The connection broke mid-exchange, or the answer was not HTTP the client could parse. */
export class HttpProtocolError extends EdgecheckError {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super('E_HTTP', message);
  }
}

/** The target lacks what a step needs; usually found before the check runs, which is then skipped. */
export class UnmetNeed extends EdgecheckError {
  constructor(message: string) {
    super('E_UNMET_NEED', message);
  }
}

/** An error as a step record keeps it, redacted; an error without a code of ours is the harness's own failure. */
export function stepError(err: unknown): StepError {
  if (err instanceof EdgecheckError) return { code: err.code, message: redact(err.message) };
  return { code: 'E_HARNESS', message: redact(err instanceof Error ? err.message : String(err)) };
}
