// Typed errors with stable codes: the CLI maps them to exit codes and reporters
// turn them into a diagnosis instead of a stack trace.

/** A position in a YAML file, 1-based, as a compiler prints it. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
  /** the text of that line, for the caret display */
  lineText?: string;
}

export class EdgecheckError extends Error {
  constructor(readonly code: string, message: string) {
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

/** The target did not answer in time or refused the connection; becomes a failed check. */
export class TargetUnreachable extends EdgecheckError {
  constructor(message: string, override readonly cause?: unknown) {
    super('E_TARGET_UNREACHABLE', message);
  }
}

export class StepTimeout extends EdgecheckError {
  constructor(readonly timeoutMs: number) {
    super('E_STEP_TIMEOUT', `no answer within ${timeoutMs} ms`);
  }
}
