// What a target promises over TLS (targets.yaml `tls:`, or what a lab edge
// promises), and the suite words that stand for it: `alpn: declared`,
// `each_protocol`, `min_days_left`, `min_max_age`. A step leaning on a promise
// the target does not make is skipped with the reason, never failed.
import type { TlsExpectation } from '../config/expectSchema.js';
import type { TlsStep } from '../steps/tls.js';
import type { TargetConfig } from '../config/targetsSchema.js';

export type TlsPromises = NonNullable<TargetConfig['tls']>;

/** The threshold when a target declares no tls.min_days_left. */
export const DEFAULT_MIN_DAYS_LEFT = 21;

/** A tls expectation with the promise words replaced by the target's values. */
export type ResolvedTlsExpectation = Omit<TlsExpectation, 'days_left' | 'alpn' | 'hsts'> & {
  days_left?: { gte?: number; lte?: number };
  alpn?: string | false;
  hsts?: { max_age?: { gte: number }; include_subdomains?: boolean; preload?: boolean };
};

type Options = TlsStep['tls'];
type Expected = TlsExpectation | undefined;

/** What a tls step needs the target to have declared; undefined when it has it all. */
export function missingTlsPromise(
  options: Options,
  expected: Expected,
  promises: TlsPromises,
  target: string,
): string | undefined {
  const lacking = (field: string, what: string) =>
    `needs tls.${field} on target '${target}' (${what}); it declares none`;
  if ((options.alpn === 'declared' || expected?.alpn === 'declared') && !promises.alpn?.length) {
    return lacking('alpn', 'the ALPN protocols it offers');
  }
  if (options.each_protocol === 'accepted' && !promises.protocols?.accept?.length) {
    return lacking('protocols.accept', 'the TLS versions it accepts');
  }
  if (options.each_protocol === 'refused' && !promises.protocols?.refuse?.length) {
    return lacking('protocols.refuse', 'the TLS versions it refuses');
  }
  if (expected?.hsts?.max_age?.gte === 'min_max_age' && !promises.hsts) return lacking('hsts', 'its HSTS max-age');
  return undefined;
}

export function resolveTlsExpectation(expected: TlsExpectation, promises: TlsPromises): ResolvedTlsExpectation {
  const { days_left, alpn, hsts, ...rest } = expected;
  const out: ResolvedTlsExpectation = { ...rest };
  if (days_left) {
    const gte = days_left.gte === 'min_days_left' ? (promises.min_days_left ?? DEFAULT_MIN_DAYS_LEFT) : days_left.gte;
    out.days_left = {
      ...(gte === undefined ? {} : { gte }),
      ...(days_left.lte === undefined ? {} : { lte: days_left.lte }),
    };
  }
  if (alpn !== undefined) out.alpn = alpn === 'declared' ? (promises.alpn?.[0] ?? false) : alpn;
  if (hsts) {
    const { max_age, ...flags } = hsts;
    const gte = max_age?.gte === 'min_max_age' ? (promises.hsts?.min_max_age ?? 0) : max_age?.gte;
    out.hsts = { ...flags, ...(gte === undefined ? {} : { max_age: { gte } }) };
  }
  return out;
}

/** The ALPN list a step offers: its own, or the target's declared one. */
export function offeredAlpn(options: Options, promises: TlsPromises): string[] | undefined {
  return options.alpn === 'declared' ? promises.alpn : options.alpn;
}

/** The versions a step offers, one handshake each: exactly one version, or a min/max range. */
export function offeredVersions(
  options: Options,
  promises: TlsPromises,
): Array<{ min?: TlsVersion; max?: TlsVersion }> {
  if (options.each_protocol) {
    const versions =
      (options.each_protocol === 'accepted' ? promises.protocols?.accept : promises.protocols?.refuse) ?? [];
    return versions.map((v) => ({ min: v, max: v }));
  }
  if (options.version) return [{ min: options.version, max: options.version }];
  return [
    {
      ...(options.min_version ? { min: options.min_version } : {}),
      ...(options.max_version ? { max: options.max_version } : {}),
    },
  ];
}

export type TlsVersion = NonNullable<Options['version']>;
