// The verdicts every suite's checks should give on each real edge, read from
// expectedVerdicts.yaml: each non-pass with its reason from the program's own
// documentation. The real-edge tests and `npm run lab:matrix` both hold runs to it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { REAL_EDGE_NAMES, type RealEdgeName } from './realEdge.js';

export type ExpectedStatus = 'passed' | 'failed' | 'skipped' | 'either';

export interface ExpectedVerdict {
  status: ExpectedStatus;
  /** why, for anything but a pass */
  reason?: string;
}

const reasoned = z.union([
  z.strictObject({ fail: z.string().min(1) }),
  z.strictObject({ skip: z.string().min(1) }),
  z.strictObject({ either: z.string().min(1) }),
]);
const perEdge = z.partialRecord(z.enum(REAL_EDGE_NAMES), z.union([z.literal('pass'), reasoned]));
const fileSchema = z.record(z.string(), z.record(z.string(), z.union([z.literal('pass'), perEdge])));

/** lab/realEdges/expectedVerdicts.yaml: beside this module in the source tree; from dist/, in the package's lab/. */
function defaultFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, 'expectedVerdicts.yaml'),
    join(here, '..', '..', '..', 'lab', 'realEdges', 'expectedVerdicts.yaml'),
  ];
  return candidates.find((file) => existsSync(file)) ?? candidates[0]!;
}

export class ExpectedVerdicts {
  constructor(
    readonly file: string,
    private readonly table: z.infer<typeof fileSchema>,
  ) {}

  static load(file = defaultFile()): ExpectedVerdicts {
    // top-level x-... keys only hold YAML anchors for reasons used more than once
    const raw = Object.entries((parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>).filter(
      ([key]) => !key.startsWith('x-'),
    );
    const parsed = fileSchema.safeParse(Object.fromEntries(raw));
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`${file}: ${where}`);
    }
    return new ExpectedVerdicts(file, parsed.data);
  }

  /** undefined: the check is not in the table yet */
  verdict(edge: RealEdgeName, suite: string, check: string): ExpectedVerdict | undefined {
    const entry = this.table[suite]?.[check];
    if (entry === undefined) return undefined;
    const value = entry === 'pass' ? 'pass' : (entry[edge] ?? 'pass');
    if (value === 'pass') return { status: 'passed' };
    if ('fail' in value) return { status: 'failed', reason: value.fail };
    if ('skip' in value) return { status: 'skipped', reason: value.skip };
    return { status: 'either', reason: value.either };
  }

  /** every suite.check the table lists, to find entries whose check is gone */
  listed(): Array<{ suite: string; check: string }> {
    return Object.entries(this.table).flatMap(([suite, checks]) =>
      Object.keys(checks).map((check) => ({ suite, check })),
    );
  }
}

/** True when a run's status is what the table expects. */
export function agrees(expected: ExpectedVerdict, status: 'passed' | 'failed' | 'skipped'): boolean {
  return expected.status === status || (expected.status === 'either' && status !== 'skipped');
}
