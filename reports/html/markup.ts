// Building HTML as strings, safely: every value is escaped where it lands (text,
// attribute, inline script), so a header an edge sent cannot become markup.

/** HTML that is already safe to put in a page: made only by `html` and the helpers here. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Part = Markup | string | number | boolean | null | undefined | readonly Part[];

/** A tagged template: interpolated strings and numbers are escaped, Markup and lists of it are not. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Markup {
  let out = strings[0]!;
  parts.forEach((part, i) => (out += render(part) + strings[i + 1]!));
  return new Markup(out);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Markup) return part.text;
  if (Array.isArray(part)) return part.map((p: Part) => render(p)).join('');
  return escapeHtml(String(part));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text that can sit inside <script> or <style>: nothing in it can close the element or open a comment. */
export function inlineCode(code: string): Markup {
  return new Markup(code.replace(/<\/(script|style)/gi, '<\\/$1').replace(/<!--/g, '<\\!--'));
}

/** JSON for a <script type="application/json"> block: `<`, `>`, `&` and line separators as escapes. */
export function jsonForScript(value: unknown): Markup {
  const escapes: Record<string, string> = {
    '<': '\\u003c',
    '>': '\\u003e',
    '&': '\\u0026',
    '\u2028': '\\u2028',
    '\u2029': '\\u2029',
  };
  return new Markup(JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => escapes[c]!));
}

/** A value from the record (expected, actual) as one readable line. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '—';
  return JSON.stringify(v);
}

/** A name: value table, leaving out rows whose value is absent. */
export function keyValues(rows: Array<[string, Part]>): Markup {
  const present = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (present.length === 0) return html``;
  return html`<dl class="kv">
    ${present.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v}</dd>`,
    )}
  </dl>`;
}

/** A table with a header row; each cell is text or markup. */
export function table(head: string[], rows: Part[][], cls = ''): Markup {
  return html`<table class="${cls}">
    <thead>
      <tr>
        ${head.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            ${r.map((c) => html`<td>${c}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Milliseconds for people: 1.8 ms, 850 ms, 2.40 s. */
export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  return n >= 10 || Number.isInteger(n) ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`;
}

export function percent(r: number | null | undefined, digits = 1): string {
  if (r === null || r === undefined) return '—';
  return `${(r * 100).toFixed(digits)}%`;
}
