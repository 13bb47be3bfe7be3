// The run record (edgecheck.run/2): the one source every reporter reads,
// live or from a saved run.json. A public contract (README.md "The command
// line"): extend, never break; a change a reader must know about takes a new version number.

/**
 * /2: a step's `error` is `{code, message}` (in /1 a bare string), and a
 * response's `set-cookie` is a list of its lines (in /1 one string, joined with ", ").
 */
export const RUN_RECORD_SCHEMA = 'edgecheck.run/2';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface FailureRecord {
  expectation: string;
  expected: unknown;
  actual: unknown;
}

export interface StepRecord {
  kind: string;
  request?: { method: string; url: string; address?: string };
  /** header values are strings, except `set-cookie`: a list, one entry per line received */
  response?: { status: number; headers: Record<string, string | string[]> };
  /** ground truth from the probe origin's log: did this request reach the origin? */
  origin_seen?: boolean;
  /** whose response the client got, by its X-Edgecheck-Origin-Seq against the log */
  served_by?: 'cache' | 'origin';
  /** what the vendor header claimed, and whether it agrees with the origin log */
  cache_claim?: { claim: string; evidence: string; agrees_with_origin?: boolean };
  /** the origin log entries this step caused (method, conditional headers, SNI) */
  origin_requests?: Array<{
    method: string;
    url: string;
    headers: Record<string, string>;
    sni?: string;
    certificate_names?: string[];
  }>;
  /** connections a fault listener of the probe origin accepted during the step (origin_connections) */
  origin_connections?: { listener: string; count?: number; listeners: string[] };
  duration_ms?: number;
  /** why the step could not observe what it came for (no response, no time left, ...) */
  error?: StepError;
  /** a tls step: every handshake it made, with its evidence */
  tls?: { endpoints: TlsEndpointRecord[] };
  /** an invalidate step: what was asked of the provider, and when it answered */
  invalidation?: InvalidationRecord;
  /** a poll step: each edge's answers until its expectation held and stayed held */
  poll?: PollRecord;
  /** each_hostname / each_edge: one record per request, each judged on its own */
  each?: StepRecord[];
  /** with follow_redirects: every redirect followed (status, Location, the URL it resolved to) */
  redirects?: HopRecord[];
  /** a signed request: what was signed and how it was broken on purpose (never the signature itself) */
  signed?: SignedRecord;
  /** why the edge refused a signature, as its answer said */
  denial?: { code: string; message?: string; reason?: string };
  failures: FailureRecord[];
}

export interface HopRecord {
  status: number;
  /** the Location header as sent */
  location?: string;
  /** the request this answer was to */
  from: string;
  /** the URL the Location resolves to */
  to?: string;
}

export interface SignedRecord {
  scheme: string;
  /** ISO 8601: when the signature stops being valid */
  expires_at: string;
  not_before?: string;
  ip?: string;
  cookie?: boolean;
  tamper?: string;
  omit?: string;
  key?: 'unknown';
  /** the name it was kept under, or the earlier signature it reuses */
  as?: string;
  reuse?: string;
}

/** An invalidation request; times are ms after it was sent. */
export interface InvalidationRecord {
  provider: string;
  id: string;
  by: string;
  paths: string[];
  accepted_ms: number;
  /** when the provider first said Completed (absent: not yet, or it offers no status) */
  completed_ms?: number;
  state: string;
  detail?: string;
}

/** A poll step, per edge address ('default' when the target pins none). */
export interface PollRecord {
  every_ms: number;
  by_edge: Record<string, PollEdgeRecord>;
  /** with `measure: propagation`, the spread of the edges' times */
  propagation?: PropagationRecord;
}

export interface PollEdgeRecord {
  /** ms from the invalidation (or the poll's start) to the first answer that held and stayed held; null = never */
  held_ms: number | null;
  answers: number;
  /** times an edge that held stopped holding */
  flips: number;
  /** why the last answer that did not hold did not */
  last_failure?: string;
}

/** How long an invalidation took to reach every edge, in ms after it was requested. */
export interface PropagationRecord {
  by_edge: Record<string, number | null>;
  p50: number | null;
  p95: number | null;
  max: number | null;
  slowest: string | null;
  accepted_ms?: number;
  completed_ms?: number;
  /** how long after the provider said Completed the last edge held (0: none lagged) */
  lag_after_completed_ms?: number;
}

/**
 * A step's error by a stable code a reader can act on — E_TARGET_UNREACHABLE,
 * E_STEP_TIMEOUT, E_TLS_HANDSHAKE, E_RESPONSE_TOO_LARGE, E_HTTP, E_UNMET_NEED,
 * E_HARNESS — and a message for people.
 */
export interface StepError {
  code: string;
  message: string;
}

/** A certificate as a TLS finding shows it. */
export interface CertificateRecord {
  subject: string;
  common_name?: string;
  sans: string[];
  issuer: string;
  not_before: string;
  not_after: string;
  days_left: number;
  fingerprint256: string;
  self_signed: boolean;
}

/** One TLS handshake: what was negotiated and presented, or why it failed. */
export interface HandshakeRecord {
  ok: boolean;
  error?: { code: string; message: string };
  protocol?: string | null;
  /** the ALPN protocol the server selected; false = none */
  alpn?: string | false;
  cipher?: string;
  /** the chain is complete and ends at a trusted root */
  trusted?: boolean;
  trust_error?: string;
  /** absent on a resumed session: TLS does not send the certificate again */
  certificate?: CertificateRecord;
  hostname_match?: { match: boolean; by: string; matched_name?: string; warning?: string };
  resumed?: boolean;
  resumption?: 'ticket' | 'session-id';
}

/** One endpoint (hostname x edge address x offer) of a tls step. */
export interface TlsEndpointRecord {
  host: string;
  address?: string;
  port: number;
  /** the SNI sent; null = none */
  sni: string | null;
  offered: { alpn?: string[]; min_version?: string; max_version?: string };
  handshake: HandshakeRecord;
  /** `resume: true`: the handshake offering the first one's session */
  resumption?: HandshakeRecord;
  /** how many full handshakes offered their session before the one recorded (when more than one) */
  resumption_tries?: number;
  /** the handshake made without SNI, when sni_required was expected */
  without_sni?: HandshakeRecord;
  /** the answer to the step's `request`, for HSTS */
  hsts?: { status: number; header: string | null } | { error: string };
  passed: boolean;
}

export interface CheckRecord {
  suite: string;
  id: string;
  title: string;
  kind: 'required' | 'optimal' | 'info';
  spec?: string;
  status: CheckStatus;
  reason?: string;
  duration_ms: number;
  metrics?: Record<string, number>;
  steps: StepRecord[];
}

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
}

export interface RunRecord {
  schema: typeof RUN_RECORD_SCHEMA;
  run_id: string;
  target: { name: string; url: string; lab?: string };
  started: string;
  finished: string;
  summary: RunSummary;
  checks: CheckRecord[];
  surge?: import('./surgeRecord.js').SurgeRecord;
  /** present when the run was interrupted: `checks` holds only the checks that finished */
  partial?: { reason: string; checks_not_run: number };
}

export function summarize(checks: CheckRecord[]): RunSummary {
  const summary = { passed: 0, failed: 0, skipped: 0 };
  for (const c of checks) summary[c.status]++;
  return summary;
}

/** A run fails when a required check failed; optimal and info failures are reported only. */
export function runFailed(record: RunRecord): boolean {
  return record.checks.some((c) => c.status === 'failed' && c.kind === 'required');
}
