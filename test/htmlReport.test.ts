// The html reporter: report.html is one self-contained page (no network, uPlot
// inlined) with every secret redacted, and, opened in Debian's Chromium, it shows
// a real run's verdicts as the run record counts them, unfolds a failing check's
// evidence when clicked, and draws a real surge's curves.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { main } from '../cli/main.js';
import { RUN_RECORD_SCHEMA, runFailed, type RunRecord } from '../harness/record.js';
import { registerSecret } from '../harness/secrets.js';
import type { SurgeConnectionStats, SurgeRecord, SurgeSecond, SurgeStats } from '../harness/surgeRecord.js';
import { surgeRunRecord } from '../load/surgeRunRecord.js';
import HtmlReporter, { HTML_REPORT_FILE, renderReport, html } from '../reports/html/index.js';
import { createReporter, reporterNames } from '../reports/index.js';
import { multiplex } from '../reports/reporter.js';
import { onlyChecks, runOnLab, suite, targetsFile } from './support/labRun.js';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '..');
const shots = join(root, '.tap', 'screenshots');
const tmp = () => mkdtempSync(join(tmpdir(), 'edgecheck-html-'));
const uplotScript = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');

/** Writes a record as the cli does: through multiplex, into a fresh dir; returns the page. */
async function writeReport(record: RunRecord): Promise<string> {
  const outDir = tmp();
  await multiplex([createReporter('html', { outDir, stream: process.stdout, color: false })]).onRunEnd(record);
  return join(outDir, HTML_REPORT_FILE);
}

const stats = (over: Partial<SurgeStats> = {}): SurgeStats => ({
  sent: 100,
  responses: 100,
  rps: 50,
  errors: 2,
  error_rate: 0.02,
  errors_by_kind: { timeout: 2 },
  status: { '1xx': 0, '2xx': 96, '3xx': 0, '4xx': 0, '5xx': 2 },
  latency_ms: { p50: 3, p95: 12, p99: 40, 'p99.9': 60, max: 80, mean: 5 },
  cache: { claimed_hits: 90, claimed_misses: 10, no_claim: 0, claimed_hit_ratio: 0.9 },
  ...over,
});

function syntheticRecord(secret = 'no-secret'): RunRecord {
  const second = (t: number): SurgeSecond => ({
    t,
    phase: 0,
    planned_rps: 50,
    sent: 50,
    rps: 50,
    latency_ms: stats().latency_ms,
    status: stats().status,
    errors: 1,
    errors_by_kind: { [`HTTP 503 ${secret}`]: 1 },
    claimed_hit_ratio: 0.9,
    origin_rps: 5,
  });
  const surge: SurgeRecord = {
    plan: `plan-${secret}`,
    model: 'open',
    bees: 1,
    connections: 4,
    source: 'edgecheck',
    partial: false,
    planned_duration_ms: 2000,
    duration_ms: 2000,
    primed: false,
    limits: { max_duration_ms: 60000, max_requests: 1000 },
    totals: stats(),
    phases: [
      {
        ...stats(),
        index: 0,
        kind: 'hold',
        label: `hold 50 rps for 2s ${secret}`,
        start_ms: 0,
        duration_ms: 2000,
        planned: { unit: 'rps', from: 50, to: 50, requests: 100, rps: 50 },
        thresholds: [],
      },
    ],
    timeline: [second(0), second(1)],
    thresholds: [],
    verdict: 'held',
    notes: [`origin ${secret} slow`],
  };
  const url = `https://cdn.example.com/${encodeURIComponent(secret)}/`;
  return {
    schema: RUN_RECORD_SCHEMA,
    run_id: 'r1',
    target: { name: 'staging', url },
    started: '2026-01-01T00:00:00.000Z',
    finished: '2026-01-01T00:00:05.000Z',
    summary: { passed: 1, failed: 1, skipped: 0 },
    checks: [
      {
        suite: 'caching',
        id: 'evil',
        title: `needs ${secret}`,
        kind: 'required',
        status: 'failed',
        reason: `step 1: status because ${secret}`,
        duration_ms: 12,
        steps: [
          {
            kind: 'get',
            request: { method: 'GET', url: `${url}x?token=${secret}` },
            response: {
              status: 500,
              headers: { 'x-evil': '</script><script>alert(1)</script>', 'x-key': `k=${secret}` },
            },
            failures: [{ expectation: 'status', expected: 200, actual: `500 from ${secret}` }],
          },
        ],
      },
      { suite: 'caching', id: 'fine', title: 'fine', kind: 'required', status: 'passed', duration_ms: 3, steps: [] },
    ],
    surge,
  };
}

t.test('the page is one self-contained file: no network, uPlot inlined, markup escaped', async (t) => {
  const page = renderReport(syntheticRecord());
  t.notMatch(page, /src\s*=\s*["']?(https?:)?\/\//i, 'no script or image from the network');
  t.notMatch(page, /<link\b/i, 'no stylesheet link');
  t.notMatch(page, /<script[^>]*\ssrc=/i, 'every script is inline');
  t.notMatch(page, /fetch\(|XMLHttpRequest|@import|url\(\s*["']?https?:/i, 'nothing fetched at run time');
  t.ok(page.includes(uplotScript.slice(0, 2000)), "uPlot's script is inlined from node_modules");
  t.match(page, /\.uplot/, "and uPlot's styles");
  t.notOk(page.includes('</script><script>alert(1)'), 'a header cannot close the script or open one');
  t.match(page, /&lt;\/script&gt;&lt;script&gt;alert\(1\)/, 'it is shown, escaped');
  const charts = /<script type="application\/json" id="edgecheck-charts">([^<]*)<\/script>/.exec(page);
  const specs = JSON.parse(charts![1]!) as Array<{ id: string; x: number[] }>;
  t.same(
    specs.map((s) => [s.id, s.x]),
    ['chart-rps', 'chart-latency', 'chart-status', 'chart-cache'].map((id) => [id, [0.5, 1.5]]),
    'the timeline goes to the client as chart data',
  );
});

t.test("a visitors surge's connections: handshakes against the plan, resumption, ALPN, errors", async (t) => {
  const record = syntheticRecord();
  const latency = { p50: 3, p95: 5, p99: 7, 'p99.9': 7, max: 7, mean: 3 };
  record.surge!.model = 'visitors';
  record.surge!.phases[0]!.planned = { unit: 'visitors', from: 50, to: 50 };
  record.surge!.phases[0]!.connections = {
    handshakes: 98,
    handshakes_per_s: 49,
    planned_visits: 100,
    planned_visits_per_s: 50,
    full: { count: 40, latency_ms: latency },
    resumed: { count: 58, latency_ms: { ...latency, p99: 4 } },
    resumption: { returning: 60, offered: 59, granted: 58, ratio: 58 / 59 },
    alpn: { h2: 97, 'http/1.1': 1 },
    h2_fallbacks: 1,
    errors_by_kind: { reset: 2 },
    skipped_visits: 0,
  };
  const page = renderReport(record);
  t.match(page, /<h4>connections<\/h4>/);
  const row = /<table class="connections">[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
  for (const cell of ['49 of 50', '7 ms (40)', '4 ms (58)', '58/59', 'h2 97, http/1.1 1 (1 fell back)', 'reset 2'])
    t.ok(row.includes(cell), `the row shows ${cell}`);
  t.match(page, /50 visits\/s/, 'planned in visits per second');
  t.notMatch(renderReport(syntheticRecord()), /<h4>connections<\/h4>/, 'no connections table without connections');
});

t.test('extra sections (the comparison view) land after the summary, with their charts', async (t) => {
  const record = { ...syntheticRecord(), surge: undefined };
  const chart = { id: 'chart-extra', title: 'p99 by run', x: [0], xMax: 1, unit: 'ms', series: [], marks: [] };
  const body = html`<p id="compare-body">${'A <vs> B'}</p>
    <figure id="chart-extra"></figure>`;
  const page = renderReport(record, { sections: [{ id: 'comparison', title: 'Comparison', body, charts: [chart] }] });
  t.ok(page.indexOf('id="summary"') < page.indexOf('id="comparison"'), 'after the summary');
  t.ok(page.indexOf('id="comparison"') < page.indexOf('id="checks"'), 'before the checks');
  t.match(page, /<a href="#comparison">Comparison<\/a>/, 'in the contents');
  t.match(page, /A &lt;vs&gt; B/);
  t.match(page, /"id":"chart-extra"/);
  t.notMatch(page, /id="surge"/, 'no surge section without a surge');
});

t.test('a registered secret reaches report.html in no form', async (t) => {
  const secret = 'h7ml&"<s3cret>\'x';
  registerSecret(secret);
  const forms = [
    secret,
    'h7ml&amp;',
    'h7ml&"<s3cret>',
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URL(`http://x/${secret}`).pathname.slice(1),
  ];
  const page = readFileSync(await writeReport(syntheticRecord(secret)), 'utf8');
  for (const form of forms) t.notOk(page.includes(form), `no ${form}`);
  t.match(page, /needs \[redacted\]/, 'the text around it stays');
  t.match(page, /plan-\[redacted\]/);
  t.match(page, /HTTP 503 \[redacted\]|origin \[redacted\] slow/);
  t.ok(reporterNames.includes('html'), '--reporter html is registered');
});

t.test('surge --reporter: html is the one it takes', async (t) => {
  const out = tmp();
  t.equal(await main(['surge', '--reporter', 'junit', '--out', out]), 2, 'junit is refused (exit 2)');
});

/** Chromium from Debian; without it CI fails and a developer's run skips with the apt-get line. */
function chromiumInstalled(t: Test): boolean {
  if (existsSync(CHROMIUM)) return true;
  const why = `${CHROMIUM} not installed; install with: apt-get install chromium`;
  if (process.env['CI']) t.fail(`CI must run the browser test: ${why}`);
  else t.skip(why, () => undefined);
  return false;
}

/** What went wrong while the page loaded and ran: console errors, page errors, failed or network requests. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => void problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => void (!r.url().startsWith('file:') && problems.push(`network request: ${r.url()}`)));
  return problems;
}

t.test('in Chromium: verdicts as the run record counts them, evidence on click, the surge drawn', async (t) => {
  if (!chromiumInstalled(t)) return;
  const lab = 'lab: reference\nedges: [127.0.0.1, 127.0.0.2, 127.0.0.3]\nfaults: [ignore-s-maxage]';
  const run = await runOnLab(
    [
      onlyChecks(suite('caching'), ['fresh-by-max-age', 's-maxage-beats-max-age', 'age-on-hit', 'cache-status-claim']),
      onlyChecks(suite('invalidation'), ['invalidated-on-every-edge']),
      onlyChecks(suite('tls'), ['certificate-matches-hostname']),
    ],
    lab,
  );
  t.ok(
    run.summary.failed > 0 && run.summary.passed > 0,
    `ignore-s-maxage fails some checks: ${JSON.stringify(run.summary)}`,
  );
  const runPage = await writeReport(run);

  // a real surge, through the cli with --reporter html
  const surgeOut = tmp();
  const targets = targetsFile(
    'targets:\n  lab:\n    lab: reference\n' +
      '    surge: { allowed: true, max_rps: 200, max_duration: 30s, max_requests: 5000 }\n',
  );
  const plan = join(tmp(), 'tiny.yaml');
  writeFileSync(
    plan,
    'surge: tiny\nphases:\n  - { ramp: { to: 40, over: 1s } }\n  - { hold: { rps: 40, for: 2s } }\n' +
      'paths: [/index.html, /app.js]\nbees: 1\nthresholds: { p99: 2s, errors: 1% }\n',
  );
  const code = await main(
    ['surge', '--plan', plan, '--targets', targets, '--target', 'lab', '--out', surgeOut].concat([
      '--reporter',
      'html',
      '--quiet',
    ]),
  );
  t.equal(code, 0, 'the tiny surge held');
  const surgeRecord = JSON.parse(readFileSync(join(surgeOut, 'run.json'), 'utf8')) as RunRecord;
  const surgePage = join(surgeOut, HTML_REPORT_FILE);
  t.ok(existsSync(surgePage), 'surge --reporter html wrote report.html');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  t.teardown(() => browser.close());
  mkdirSync(shots, { recursive: true });

  await t.test('the run report', async (t) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watch(page);
    await page.goto(pathToFileURL(runPage).href);
    for (const k of ['passed', 'failed', 'skipped'] as const) {
      t.equal(await page.textContent(`[data-count="${k}"]`), String(run.summary[k]), `${k} as the run record counts`);
    }
    t.equal(await page.locator('details.check').count(), run.checks.length, 'every check is on the page');
    t.equal(await page.locator('[data-exit]').getAttribute('data-exit'), runFailed(run) ? '1' : '0', 'the exit status');
    t.equal(await page.locator('.failing-list li').count(), run.summary.failed, 'the failing checks are listed');

    const failing = page.locator('details.check.failed').first();
    const id = (await failing.getAttribute('id'))!;
    t.equal(id, await page.locator('details.check').first().getAttribute('id'), 'a failing check comes first');
    const body = failing.locator('.check-body');
    t.notOk(await body.isVisible(), 'its evidence is folded');
    await failing.locator('summary').first().click();
    t.ok(await body.isVisible(), 'a click unfolds it');
    const evidence = failing.locator('details.step-failed .evidence').first();
    t.ok(await evidence.isVisible(), "the failing step's evidence is open inside");
    const text = (await evidence.textContent()) ?? '';
    t.match(text, /failed expectations/);
    t.match(text, /GET https:\/\/lab\.edgecheck\.test/, 'the request line');
    t.match(text, /what the probe origin saw/);
    t.match(text, /cache-control/, 'the response headers');

    await page.click('button[data-filter="failed"]');
    t.equal(await page.locator('details.check:visible').count(), run.summary.failed, 'the failed filter');
    await page.click('button[data-filter="all"]');
    // unfold the invalidation's last poll and the TLS handshakes, for the screenshot as much as the test
    await page.locator('details.check:has(table.propagation) > summary').first().click();
    await page.locator('details.step:has(table.propagation) > summary').last().click();
    const propagation = page.locator('table.propagation').last();
    t.ok(await propagation.isVisible(), 'the propagation table unfolds');
    t.equal(await propagation.locator('tbody tr').count(), 3, 'propagation per edge, one row each');
    await page.locator('details.check:has(table.tls) > summary').first().click();
    await page.locator('details.step:has(table.tls) > summary').first().click();
    const tls = page.locator('table.tls').first();
    t.ok(await tls.isVisible());
    t.match((await tls.textContent()) ?? '', /TLSv1\.3[\s\S]*days left/, 'protocol and certificate details');

    await page.screenshot({ path: join(shots, 'report.png'), fullPage: true });
    copyFileSync(join(shots, 'report.png'), '/tmp/edgecheck-report.png');
    t.same(problems, [], 'no console error, no failed or network request');
    await page.close();
  });

  await t.test('the surge report', async (t) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = watch(page);
    await page.goto(pathToFileURL(surgePage).href);
    const seconds = surgeRecord.surge!.timeline.length;
    t.ok(seconds >= 3, `${seconds} seconds in the timeline`);
    const charts = await page.evaluate<Array<{ id: string; points: number }>>(
      'window.edgecheckCharts.map((c) => ' +
        '({ id: c.id, points: Math.min(...c.plot.data.slice(1).map((series) => series.length)) }))',
    );
    t.same(
      charts,
      ['chart-rps', 'chart-latency', 'chart-status', 'chart-cache'].map((id) => ({ id, points: seconds })),
      'four charts, each series with a point a second',
    );
    // pixels of the achieved line's colour, #1f6fd1, give or take antialiasing
    const blue = await page.evaluate<number>(`(() => {
      const canvas = document.querySelector('#chart-rps canvas');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      const near = (v, c) => Math.abs(v - c) < 40;
      for (let i = 0; i < data.length; i += 4) {
        if (near(data[i], 31) && near(data[i + 1], 111) && near(data[i + 2], 209)) n++;
      }
      return n;
    })()`);
    t.ok(blue > 50, `the requests/s line is drawn (${blue} pixels of its colour)`);
    t.equal(await page.locator('[data-surge-verdict]').getAttribute('data-surge-verdict'), surgeRecord.surge!.verdict);
    t.equal(await page.locator('table.phases tbody tr').count(), 2, 'a row per phase');
    await page.screenshot({ path: join(shots, 'surge-report.png'), fullPage: true });
    copyFileSync(join(shots, 'surge-report.png'), '/tmp/edgecheck-surge-report.png');
    t.same(problems, [], 'no console error, no failed or network request');
    await page.close();
  });
});

t.test('the reporter writes report.html on onRunEnd only', async (t) => {
  const outDir = tmp();
  const reporter = new HtmlReporter({ outDir, stream: process.stdout, color: false });
  t.equal(reporter.name, 'html');
  t.notOk(existsSync(join(outDir, HTML_REPORT_FILE)));
  reporter.onRunEnd(
    surgeRunRecord('s', { name: 'k6', url: 'k6 summary' }, new Date(0), new Date(1000), {
      ...syntheticRecord().surge!,
      source: 'k6',
      timeline: [],
    }),
  );
  const page = readFileSync(join(outDir, HTML_REPORT_FILE), 'utf8');
  t.match(page, /no per-second timeline \(read from a k6 summary\)/);
  t.notMatch(page, /id="checks"/, 'a surge alone has no checks section');
});

t.test('in Chromium: the comparison view, against a baseline', async (t) => {
  if (!chromiumInstalled(t)) return;
  const checks = [onlyChecks(suite('caching'), ['fresh-by-max-age', 's-maxage-beats-max-age', 'age-on-hit'])];
  const good = await runOnLab(checks, 'lab: reference');
  const bad = await runOnLab(checks, 'lab: reference\nfaults: [ignore-s-maxage]');
  const dir = tmp();
  const [goodFile, badFile, page] = ['good.json', 'bad.json', 'comparison.html'].map((f) => join(dir, f));
  // each with a visitors surge whose edge resumed 95 of 100 sessions, then 20, over paths half h1 and half h2
  // whose h2 requests had no errors, then 5 of 100
  const withConnections = (granted: number, h2Errors: number): SurgeRecord => {
    const surge = syntheticRecord().surge!;
    const connections: SurgeConnectionStats = {
      handshakes: 100,
      handshakes_per_s: 50,
      full: { count: 100 - granted, latency_ms: stats().latency_ms },
      resumed: { count: granted, latency_ms: stats().latency_ms },
      resumption: { returning: 100, offered: 100, granted, ratio: granted / 100 },
      alpn: { h2: 100 },
      h2_fallbacks: 0,
      errors_by_kind: {},
      skipped_visits: 0,
    };
    const protocols = (['h1', 'h2'] as const).map((protocol) => {
      const errors = protocol === 'h2' ? h2Errors : 0;
      const share = { planned_share: 0.5, bees: 1, sent: 100, share: 0.5, responses: 100, errors };
      return { protocol, paths: [`/${protocol}`], ...share, error_rate: errors / 100, latency_ms: stats().latency_ms };
    });
    return { ...surge, phases: [{ ...surge.phases[0]!, connections }], connection_totals: connections, protocols };
  };
  writeFileSync(goodFile!, JSON.stringify({ ...good, surge: withConnections(95, 0) }));
  writeFileSync(badFile!, JSON.stringify({ ...bad, surge: withConnections(20, 5) }));
  const code = await main(['compare', '--baseline', goodFile!, badFile!, '--format', 'html', '--out', page!]);
  t.equal(code, 1, 'a required check passed in the baseline and fails now: exit 1');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  t.teardown(() => browser.close());
  const view = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watch(view);
  await view.goto(pathToFileURL(page!).href);
  const section = view.locator('#comparison');
  t.equal(await section.count(), 1, 'the comparison is a section of the page');
  const rows = section.locator('table.comparison').first().locator('tbody tr');
  t.equal(await rows.count(), 3, 'one row per check');
  t.match(await rows.first().textContent(), /≠ caching\/s-maxage-beats-max-age/, 'the check that differs comes first');
  t.equal(await rows.first().locator('.cell-failed').count(), 1, 'its failing cell is marked');
  const resumed = section.locator('table.surge-connections tr', { hasText: 'sessions resumed' }).first();
  t.equal(
    await resumed.locator('.cell-differs').textContent(),
    '20% (20/100) ≠',
    "the surges' connections: the sessions resumed that changed are marked",
  );
  const h2Errors = section.locator('table.surge-protocols tr', { hasText: 'errors' }).last();
  t.equal(await h2Errors.locator('.cell-differs').textContent(), '5% (5) ≠', 'the h2 errors that appeared are marked');
  const regressions = section.locator('ul.regressions li');
  t.equal(await regressions.count(), 1, 'one regression');
  t.match(await regressions.first().textContent(), /s-maxage-beats-max-age/, 'named');
  t.same(problems, [], 'no console error, no failed or network request');
  mkdirSync(shots, { recursive: true });
  await view.screenshot({ path: join(shots, 'comparison.png'), fullPage: true });
  copyFileSync(join(shots, 'comparison.png'), '/tmp/edgecheck-compare.png');
});
