// The one place secrets are known. Config interpolation registers them; every
// writer (run record, reporters, logs, error messages) passes text through redact().

const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 4; // shorter values would redact ordinary words

export function registerSecret(value: string): void {
  const v = value.trim();
  if (v.length >= MIN_SECRET_LENGTH) secrets.add(v);
}

export const REDACTED = '[redacted]';

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** Header names whose values are credentials whatever they hold. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-edgecheck-token']);

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : redact(v);
  return out;
}
