// The one place secrets are known. Config interpolation registers them; every
// writer (run record, reporters, logs, error messages) passes text through redact().

const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 4; // shorter values would redact ordinary words

export function registerSecret(value: string): void {
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH) return;
  secrets.add(v);
  // as it appears once put in a URL (path, query, form) by whoever encoded it;
  // a form a URL cut short (at a ? or #) would redact a fragment of ordinary text, so only whole ones
  const whole = (encoded: string, decode: (s: string) => string = decodeURIComponent) => {
    try {
      if (decode(encoded) === v) secrets.add(encoded);
    } catch {
      // not decodable: not a form this value takes
    }
  };
  whole(encodeURIComponent(v));
  whole(new URLSearchParams({ v }).toString().slice(2), (s) => new URLSearchParams(`v=${s}`).get('v') ?? '');
  whole(new URL(`http://x/${v}`).pathname.slice(1));
  whole(new URL(`http://x/?${v}`).search.slice(1));
}

export const REDACTED = '[redacted]';

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * A copy of a value (a run record, an event) with every string redacted,
 * before it is serialised: redacting serialised text would miss a secret the
 * escaping changed (JSON's \", XML's &amp;) and could cut into numbers.
 */
export function redactDeep<T>(value: T): T {
  if (secrets.size === 0) return value;
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    // keys too: a record keyed by what it saw (errors by kind, headers) can carry a secret in a key
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v)])) as T;
  }
  return value;
}

/** Header names whose values are credentials whatever they hold. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-edgecheck-token']);

/** A header given as a list (set-cookie) stays a list, each of its lines redacted. */
export function redactHeaders<V extends string | string[]>(headers: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(headers)) {
    const one = (line: string) => (SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : redact(line));
    out[k] = (typeof v === 'string' ? one(v) : v.map(one)) as V;
  }
  return out;
}
