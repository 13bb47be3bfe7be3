// Reads a Strict-Transport-Security header the way a browser does (RFC 6797
// 6.1): directives are case-insensitive, max-age may be quoted, and a header
// without a valid max-age (or with a directive twice) is ignored entirely;
// of several headers only the first counts.

export interface HstsPolicy {
  maxAge: number;
  includeSubDomains: boolean;
  preload: boolean;
}

/** The policy, or why a browser would ignore the header. */
export function parseHsts(value: string | undefined): HstsPolicy | { invalid: string } {
  if (value === undefined) return { invalid: 'no Strict-Transport-Security header' };
  // several headers arrive joined by ", " (the grammar has no commas); a browser reads only the first (RFC 6797 8.1)
  const first = value.split(',')[0]!;
  const seen = new Map<string, string | undefined>();
  for (const part of first.split(';')) {
    const [rawName, ...rest] = part.split('=');
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    if (seen.has(name)) return { invalid: `directive ${name} appears twice (RFC 6797 6.1)` };
    seen.set(
      name,
      rest.length
        ? rest
            .join('=')
            .trim()
            .replace(/^"(.*)"$/, '$1')
        : undefined,
    );
  }
  const maxAge = seen.get('max-age');
  if (maxAge === undefined || !/^\d+$/.test(maxAge)) return { invalid: 'no valid max-age directive' };
  return { maxAge: Number(maxAge), includeSubDomains: seen.has('includesubdomains'), preload: seen.has('preload') };
}
