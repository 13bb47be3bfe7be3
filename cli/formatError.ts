// Config errors the way a compiler prints them: file:line:col, the line, a
// caret under the spot with a word on what belongs there, and what would have been allowed.
import { relative } from 'node:path';
import type { ConfigError } from '../harness/errors.js';
import { redact } from '../harness/secrets.js';

export function formatConfigError(err: ConfigError, cwd = process.cwd()): string {
  const out: string[] = [];
  for (const p of err.problems) {
    if (!p.position) {
      out.push(`error: ${p.message}`);
      continue;
    }
    const { file, line, col, lineText } = p.position;
    const shown = relative(cwd, file) || file;
    out.push(`${shown}:${line}:${col}: error: ${p.message}`);
    if (lineText !== undefined) {
      const gutter = ' '.repeat(String(line).length);
      const label = p.label ?? leadOf(p.message);
      const caret = `${' '.repeat(Math.max(0, col - 1))}^${label ? ` ${label}` : ''}`;
      out.push(`${gutter} |`, `${line} | ${lineText}`, `${gutter} | ${caret}`);
    }
    if (p.allowed) out.push(`  = allowed: ${p.allowed}`);
  }
  return redact(out.join('\n')) + '\n';
}

/**
 * A problem that brings no label of its own gets its message's first clause
 * under the caret, without the YAML path the message starts with.
 */
function leadOf(message: string): string {
  const text = message.replace(/^[\w.[\]-]+: /, '');
  return text.split(/; |: /)[0]!.trim();
}
