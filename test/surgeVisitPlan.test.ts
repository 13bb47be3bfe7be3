// The visitors model's plan: what a visit block loads to, how requests per
// visit and think times are drawn, the default cap on open visits, the
// target's limits applied through requests per visit, and how a failed
// connection's error is named in the record.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadTargets, selectTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import { labEdges } from '../lab/labs.js';
import { connectionErrorKind } from '../load/handshakeRecorder.js';
import { HandshakeTally } from '../load/handshakeTally.js';
import { HandshakeRecorder } from '../load/handshakeRecorder.js';
import { surgeLimits } from '../load/limits.js';
import { loadPlan } from '../load/loadPlan.js';
import { describeVisit, drawRequests, drawThinkMs, maxRequests, meanRequests } from '../load/visitPlan.js';
import { targetsFile } from './support/labRun.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-visit-'));
let n = 0;
function planFile(yaml: string): string {
  const file = join(dir, `plan-${n++}.yaml`);
  writeFileSync(file, yaml);
  return file;
}
const VISITORS =
  'surge: v\nmodel: visitors\nphases:\n  - { ramp: { to: 40, over: 5s } }\n' +
  '  - { hold: { visitors: 40, for: 10s } }\npaths: [/a]\n';

t.test('a visitors plan loads its visit, protocol and cap on open visits', async (t) => {
  const plan = loadPlan(
    planFile(
      VISITORS + 'protocol: h2\nvisit: { requests: { min: 2, max: 6 }, think: { min: 100ms, max: 1s }, resume: 30% }\n',
    ),
  );
  t.equal(plan.model, 'visitors');
  t.equal(plan.protocol, 'h2');
  t.same(plan.visit, { requests: { kind: 'uniform', min: 2, max: 6 }, thinkMs: { min: 100, max: 1000 }, resume: 0.3 });
  t.same(
    plan.phases.map((p) => p.label),
    ['ramp 0 -> 40 visitors over 5s', 'hold 40 visitors for 10s'],
  );
  // 4 requests and 3 thinks of 550 ms a visit, 5 x 250 ms of exchanges: 2.9 s; 40/s x 2.9 s x 4
  t.equal(plan.connections, 464, 'a few times the visits a steady edge keeps open');
  t.same(describeVisit(plan.visit!), {
    requests: '2-6 (uniform)',
    mean_requests: 4,
    think: '100ms-1s (uniform)',
    resume: 0.3,
  });

  const bare = loadPlan(planFile(VISITORS));
  t.same(
    bare.visit,
    { requests: { kind: 'fixed', n: 1 }, thinkMs: { min: 0, max: 0 }, resume: 0 },
    'one request, no pause',
  );
  t.equal(bare.protocol, 'h1');
  t.equal(bare.connections, 100, 'never fewer than 100 open visits by default');
});

t.test('requests per visit and think times are drawn as the plan says', async (t) => {
  const fixed = { kind: 'fixed', n: 3 } as const;
  const uniform = { kind: 'uniform', min: 2, max: 4 } as const;
  const weights = { kind: 'weights', weights: [0, 3, 1] } as const;
  t.equal(
    drawRequests(fixed, () => 0.99),
    3,
  );
  t.same(
    [0, 0.34, 0.67, 0.999].map((r) => drawRequests(uniform, () => r)),
    [2, 3, 4, 4],
  );
  t.same(
    [0, 0.5, 0.74, 0.75, 0.9999].map((r) => drawRequests(weights, () => r)),
    [2, 2, 2, 3, 3],
    'weights 0, 3, 1: never 1 request, three times as often 2 as 3',
  );
  t.same([meanRequests(fixed), meanRequests(uniform), meanRequests(weights)], [3, 3, 2.25]);
  t.same([maxRequests(fixed), maxRequests(uniform), maxRequests({ kind: 'weights', weights: [1, 2, 0] })], [3, 4, 2]);
  t.equal(
    drawThinkMs({ min: 100, max: 300 }, () => 0.5),
    200,
  );
  t.equal(
    drawThinkMs({ min: 250, max: 250 }, () => 0.9),
    250,
  );
});

t.test("a target's max_rps and max_requests apply through the requests per visit", async (t) => {
  const targets = targetsFile(`targets:
  t:
    url: https://cdn.example.com
    surge: { allowed: true, max_rps: 100, max_duration: 1m, max_requests: 1000 }
`);
  const named = selectTarget(loadTargets(targets, labEdges), 't');
  const plan = loadPlan(planFile(VISITORS + 'visit: { requests: 3 }\n'));
  let refused: unknown;
  try {
    surgeLimits(plan, named);
  } catch (err) {
    refused = err;
  }
  t.ok(refused instanceof ConfigError);
  const messages = (refused as ConfigError).problems.map((p) => p.message);
  t.match(messages[0], /40 visitors\/s x 3 requests per visit = 120 rps; target 't' allows at most 100 rps/);
  // 100 + 400 visits, 3 requests each
  t.match(messages[1], /the plan sends about 1500 requests; target 't' allows at most 1000/);
  t.doesNotThrow(() => surgeLimits(loadPlan(planFile(VISITORS.replace(/40/g, '10'))), named), 'within the limits');
});

t.test('a failed connection is named by what stopped it', async (t) => {
  const err = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  t.equal(connectionErrorKind(err('ECONNREFUSED')), 'refused');
  t.equal(connectionErrorKind(err('ECONNRESET')), 'reset');
  t.equal(connectionErrorKind(err('edgecheck-timeout')), 'timeout');
  t.equal(connectionErrorKind(err('ERR_SSL_WRONG_VERSION_NUMBER')), 'handshake failure');
  t.equal(connectionErrorKind(err('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')), 'handshake failure');
  t.equal(connectionErrorKind(err('EHOSTUNREACH')), 'other');
});

t.test('handshake slices add up: full and resumed apart, resumption granted of offered, fall-backs', async (t) => {
  const bee = new HandshakeRecorder();
  t.equal(bee.cut(), undefined, 'nothing happened: no slice');
  bee.onReturning();
  bee.onReturning();
  bee.onHandshake({ ms: 12, offered: false, resumed: false, alpn: 'h2', askedH2: true });
  bee.onHandshake({ ms: 3, offered: true, resumed: true, alpn: 'h2', askedH2: true });
  bee.onHandshake({ ms: 11, offered: true, resumed: false, alpn: 'http/1.1', askedH2: true });
  bee.onConnectionError('refused');
  bee.onSkipped();
  const tally = new HandshakeTally();
  tally.add(bee.cut()!);
  bee.onHandshake({ ms: 4, offered: true, resumed: true, alpn: false, askedH2: false });
  tally.add(bee.cut()!);
  const stats = tally.stats(2000, 10);
  t.equal(stats.handshakes, 4);
  t.equal(stats.handshakes_per_s, 2);
  t.same([stats.planned_visits, stats.planned_visits_per_s], [10, 5]);
  t.same([stats.full.count, stats.resumed.count], [2, 2]);
  // HDR keeps three significant digits
  t.equal(Math.round(stats.full.latency_ms!.max), 12, 'the slowest full handshake');
  t.equal(Math.round(stats.resumed.latency_ms!.max), 4, 'the slowest resumed handshake');
  t.same(stats.resumption, { returning: 2, offered: 3, granted: 2, ratio: 0.6667 });
  t.same(stats.alpn, { h2: 2, 'http/1.1': 1, none: 1 });
  t.equal(stats.h2_fallbacks, 1, 'only a connection that asked for h2 falls back');
  t.same(stats.errors_by_kind, { refused: 1 });
  t.equal(stats.skipped_visits, 1);
});
