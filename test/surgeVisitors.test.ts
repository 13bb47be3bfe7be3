// The visitors model against real TLS: a new connection per visit, with the
// handshake rate, full and resumed handshakes counted apart, and the
// resumption the edge granted — which the reference edge's
// no-session-resumption fault takes away. Kept well below the bees' limit
// (50 visitors/s) so the achieved rate is the plan's, not the generator's.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { RunRecord } from '../harness/record.js';
import type { BeeConnectionStats, SurgeRecord } from '../harness/surgeRecord.js';
import { realEdges } from '../lab/realEdges/index.js';
import { missionAssessment } from '../reports/mission.js';
import { paint } from '../reports/terminal.js';
import { targetsFile } from './support/labRun.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';
import { planFile as writePlan, surgeOn as surgeIn } from './support/surgeOn.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-visitors-'));
const targets = targetsFile(`targets:
  nginx:
    lab: nginx
    surge: { allowed: true, max_rps: 500, max_duration: 30s, max_requests: 20000 }
  reference:
    lab: reference
    surge: { allowed: true, max_rps: 500, max_duration: 30s, max_requests: 20000 }
  reference-no-resumption:
    lab: reference
    faults: [no-session-resumption]
    surge: { allowed: true, max_rps: 500, max_duration: 30s, max_requests: 20000 }
`);

const planFile = (name: string, yaml: string) => writePlan(dir, name, yaml);
const surgeOn = (targetName: string, plan: string, runId: string) => surgeIn(targets, targetName, plan, runId);

const visitors = planFile(
  'visitors',
  `surge: visitors
model: visitors
phases:
  - { hold: { visitors: 50, for: 4s } }
paths: [{ path: /index.html, weight: 3 }, /app.js]
visit: { requests: { min: 1, max: 3 }, think: 20ms, resume: 60% }
bees: 2
thresholds: { errors: 1% }
`,
);

t.test('a visitors plan against the lab nginx reaches its handshake rate, full and resumed apart', async (t) => {
  if (!realEdgeInstalled(t, realEdges.nginx)) return;
  const surge = await surgeOn('nginx', visitors, 'visitors-nginx');
  const phase = surge.phases[0]!;
  // the bees measure every figure: a local surge's block is a BeeConnectionStats
  const c = phase.connections as BeeConnectionStats;
  t.equal(surge.model, 'visitors');
  t.equal(phase.planned.unit, 'visitors');
  t.equal(c.planned_visits_per_s, 50);
  t.ok(Math.abs(c.handshakes_per_s - 50) / 50 <= 0.05, `${c.handshakes_per_s} handshakes/s for 50 planned`);
  t.equal(c.full.count + c.resumed.count, c.handshakes, 'every handshake is full or resumed');
  t.ok(c.full.count > 0 && c.full.latency_ms!.p99 > 0, `${c.full.count} full handshakes, timed`);
  t.ok(c.resumed.count > 0 && c.resumed.latency_ms!.p50 > 0, `${c.resumed.count} resumed handshakes, timed`);
  t.ok(c.resumption.offered <= c.resumption.returning, 'only a returning visitor offers a session');
  t.equal(c.resumption.granted, c.resumed.count, 'every resumed handshake was one a visitor asked for');
  t.ok(c.resumption.ratio! > 0.9, `nginx resumes the sessions it issued (${c.resumption.ratio})`);
  t.same(c.alpn, { 'http/1.1': c.handshakes }, 'an h1 plan offers only http/1.1');
  t.same(c.errors_by_kind, {});
  // one to three requests per visit: two on average
  t.ok(phase.responses >= c.handshakes && phase.responses <= 3 * c.handshakes, `${phase.responses} responses`);
  t.equal(phase.errors, 0);
  t.equal(surge.verdict, 'held');
  t.equal(surge.visit?.requests, '1-3 (uniform)');
  t.ok(
    surge.timeline.some((s) => (s.handshakes ?? 0) > 0),
    'the timeline counts handshakes per second',
  );
  t.equal(surge.connection_totals?.handshakes, c.handshakes);
});

t.test('the resumption ratio falls to 0 under the reference edge no-session-resumption fault', async (t) => {
  const granted = await surgeOn('reference', visitors, 'visitors-reference');
  const refused = await surgeOn('reference-no-resumption', visitors, 'visitors-no-resumption');
  const a = granted.phases[0]!.connections as BeeConnectionStats;
  const b = refused.phases[0]!.connections as BeeConnectionStats;
  t.ok(a.resumption.offered > 0 && b.resumption.offered > 0, 'returning visitors offered sessions to both');
  t.ok(a.resumption.ratio! > 0.9, `the reference edge resumes (${a.resumption.ratio})`);
  t.equal(b.resumption.ratio, 0, 'with the fault it resumes nothing');
  t.equal(b.resumed.count, 0);
  t.equal(b.full.count, b.handshakes);

  // the mission assessment shows it: visits planned, handshakes against them, and what the edge resumed
  const record = (surge: SurgeRecord) => ({ target: { name: 'reference' }, surge }) as unknown as RunRecord;
  const shown = missionAssessment(record(refused), paint(false)).join('\n');
  t.match(shown, /1 hold 50 visitors for 4s +50 visits\/s /, 'planned in visits per second');
  t.match(shown, /connections +handshakes\/s +full p99 +resumed p99 +resumed +alpn +errors/);
  t.match(
    shown,
    new RegExp(`1 hold 50 visitors for 4s +[\\d.]+ of 50 .* 0/${b.resumption.offered} +http/1\\.1 ${b.handshakes}`),
  );
});
