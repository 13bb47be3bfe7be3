// HTTP/2 bees: an h2 plan against the lab nginx negotiates h2 on every
// connection (open model and visitors alike, read from the record), and an
// edge that offers only http/1.1 is reported as a fall-back in the record
// and in the mission assessment, never silently served over HTTP/1.1.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { BeeConnectionStats } from '../harness/surgeRecord.js';
import { realEdges } from '../lab/realEdges/index.js';
import { surgeRunRecord } from '../load/surgeRunRecord.js';
import { missionAssessment } from '../reports/mission.js';
import { paint } from '../reports/terminal.js';
import { targetsFile } from './support/labRun.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';
import { planFile as writePlan, surgeOn as surgeIn } from './support/surgeOn.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-h2-'));
const SURGE = 'surge: { allowed: true, max_rps: 1000, max_duration: 30s, max_requests: 20000 }';
const targets = targetsFile(`targets:
  nginx:
    lab: nginx
    ${SURGE}
  reference-no-h2:
    lab: reference
    faults: [no-h2]
    ${SURGE}
`);

const planFile = (name: string, yaml: string) => writePlan(dir, name, yaml);
const surgeOn = (targetName: string, plan: string, runId: string) => surgeIn(targets, targetName, plan, runId);

const openH2 = planFile(
  'open-h2',
  `surge: open-h2
protocol: h2
connections: 4
streams: 8
phases:
  - { ramp: { to: 150, over: 2s } }
  - { hold: { rps: 150, for: 2s } }
paths: [{ path: /index.html, weight: 3 }, /app.js]
bees: 2
thresholds: { errors: 0.1%, min_rps: 95% }
`,
);

t.test('an h2 plan against the lab nginx negotiates h2 on every connection', async (t) => {
  if (!realEdgeInstalled(t, realEdges.nginx)) return;
  const surge = await surgeOn('nginx', openH2, 'h2-nginx');
  t.equal(surge.protocol, 'h2');
  const totals = surge.connection_totals as BeeConnectionStats;
  t.ok(totals.handshakes >= 4, `${totals.handshakes} connections, at least the plan's 4`);
  t.same(totals.alpn, { h2: totals.handshakes }, 'every connection negotiated h2');
  t.equal(totals.h2_fallbacks, 0);
  t.same(totals.errors_by_kind, {});
  const opened = surge.phases.reduce((n, p) => n + (p.connections?.handshakes ?? 0), 0);
  t.equal(opened, totals.handshakes, 'the phases account for every connection');
  t.equal(surge.totals.errors, 0);
  t.ok(Math.abs(surge.totals.sent - 450) <= 3, `sent ${surge.totals.sent} of 450 planned`);
  t.equal(surge.totals.responses, surge.totals.sent, 'every stream answered');
  t.equal(surge.verdict, 'held');
  t.notMatch(surge.notes.join('\n'), /fall-back/);
});

t.test('visitors over h2 against the lab nginx: every visit negotiates h2, its requests are streams', async (t) => {
  if (!realEdgeInstalled(t, realEdges.nginx)) return;
  const plan = planFile(
    'visitors-h2',
    'surge: visitors-h2\nmodel: visitors\nprotocol: h2\nphases:\n  - { hold: { visitors: 30, for: 3s } }\n' +
      'paths: [/index.html]\nvisit: { requests: 3, think: 10ms, resume: 50% }\nbees: 1\n',
  );
  const surge = await surgeOn('nginx', plan, 'visitors-h2-nginx');
  const c = surge.phases[0]!.connections as BeeConnectionStats;
  t.ok(c.handshakes >= 85, `${c.handshakes} visits of 90 planned`);
  t.same(c.alpn, { h2: c.handshakes }, 'every visit negotiated h2');
  t.ok(c.resumed.count > 0, 'returning visitors resume over h2 too');
  // three requests per visit, but visits still going when the plan ends make no more
  t.ok(
    surge.totals.responses <= 3 * c.handshakes && surge.totals.responses >= 3 * c.handshakes - 15,
    `${surge.totals.responses} responses from ${c.handshakes} visits`,
  );
  t.equal(surge.totals.responses, surge.totals.sent, 'every stream answered');
  t.equal(surge.totals.errors, 0);
});

t.test('an edge that offers only http/1.1: the fall-back is in the record and the assessment', async (t) => {
  const surge = await surgeOn('reference-no-h2', openH2, 'h2-fallback');
  const totals = surge.connection_totals as BeeConnectionStats;
  t.ok(totals.handshakes >= 4);
  t.same(totals.alpn, { 'http/1.1': totals.handshakes }, 'every connection fell back');
  t.equal(totals.h2_fallbacks, totals.handshakes);
  t.equal(surge.phases[0]!.connections!.h2_fallbacks, surge.phases[0]!.connections!.handshakes);
  t.ok(surge.totals.responses > 0, 'the requests still went, over HTTP/1.1');
  const record = surgeRunRecord(
    'h2-fallback',
    { name: 'reference-no-h2', url: 'https://x' },
    new Date(),
    new Date(),
    surge,
  );
  const text = missionAssessment(record, paint(false)).join('\n');
  t.match(
    text,
    /note: h2 fall-back: the plan asks for h2 but \d+ of \d+ connections negotiated something else over ALPN \(\d+ http\/1\.1; phase 1: \d+/,
  );
});
