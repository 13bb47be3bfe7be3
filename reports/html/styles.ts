// The page's own styles: system fonts, dark text on white, the verdicts in
// colours that keep their contrast (WCAG AA on white), and a mark beside each
// colour so a verdict never rests on colour alone.

export const PAGE_STYLES = `
:root {
  color-scheme: light;
  --text: #1b1f24; --dim: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --pass: #1a7f37; --fail: #cf222e; --warn: #9a6700; --skip: #57606a; --accent: #0969da;
  --pass-bg: #dafbe1; --fail-bg: #ffebe9; --warn-bg: #fff8c5; --skip-bg: #eaeef2;
}
* { box-sizing: border-box; }
body {
  margin: 0; color: var(--text); background: #fff; line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
}
code, .mono {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace; font-size: 0.86em;
}
code { overflow-wrap: anywhere; }
main { max-width: 1180px; margin: 0 auto; padding: 0 20px 60px; }
header.page { background: var(--soft); border-bottom: 1px solid var(--line); }
header.page .inner { max-width: 1180px; margin: 0 auto; padding: 18px 20px 14px; }
header.page h1 { margin: 0 0 4px; font-size: 22px; }
header.page p { margin: 2px 0; }
nav.toc { margin-top: 8px; }
nav.toc a { margin-right: 14px; }
a { color: var(--accent); }
h2 { font-size: 19px; margin: 30px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--dim); }
h5 { font-size: 13px; margin: 10px 0 4px; color: var(--dim); }
.dim { color: var(--dim); }
.good { color: var(--pass); }
.bad { color: var(--fail); }
.warn { color: var(--warn); }
.counts { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.count { min-width: 130px; padding: 10px 14px; border-radius: 8px; border: 1px solid var(--line); }
.count b { display: block; font-size: 26px; line-height: 1.1; }
.count.passed { background: var(--pass-bg); } .count.passed b { color: var(--pass); }
.count.failed { background: var(--fail-bg); } .count.failed b { color: var(--fail); }
.count.skipped { background: var(--skip-bg); }
.exit { font-weight: 600; padding: 8px 12px; border-radius: 6px; display: inline-block; }
.exit.passed { background: var(--pass-bg); color: var(--pass); }
.exit.failed { background: var(--fail-bg); color: var(--fail); }
.failing-list li { margin: 2px 0; }
.toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 8px 0 4px; }
.toolbar button {
  font: inherit; font-size: 13px; padding: 4px 10px; border: 1px solid var(--line); border-radius: 6px;
  background: #fff; color: var(--text); cursor: pointer;
}
.toolbar button[aria-pressed='true'] { background: var(--text); color: #fff; border-color: var(--text); }
body[data-show='failed'] details.check:not(.failed):not(.failed-optional) { display: none; }
body[data-show='passed'] details.check:not(.passed) { display: none; }
body[data-show='skipped'] details.check:not(.skipped) { display: none; }
.pill, .badge, .kind {
  display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px;
  vertical-align: 1px; margin-left: 4px;
}
.badge { margin: 0 6px 0 0; min-width: 60px; text-align: center; }
.passed.pill, .badge.passed { background: var(--pass-bg); color: var(--pass); }
.failed.pill, .badge.failed { background: var(--fail); color: #fff; }
.failed-optional.pill, .badge.failed-optional { background: var(--warn-bg); color: var(--warn); }
.skipped.pill, .badge.skipped { background: var(--skip-bg); color: var(--skip); }
.badge.passed::before { content: '✓ '; } .badge.failed::before { content: '✗ '; }
.badge.failed-optional::before { content: '! '; } .badge.skipped::before { content: '– '; }
.kind { background: var(--soft); color: var(--dim); border: 1px solid var(--line); font-weight: 500; }
details.check { border: 1px solid var(--line); border-radius: 8px; margin: 6px 0; background: #fff; }
details.check.failed { border-left: 5px solid var(--fail); }
details.check.failed-optional { border-left: 5px solid var(--warn); }
details.check.passed { border-left: 5px solid var(--pass); }
details.check.skipped { border-left: 5px solid var(--skip-bg); }
details.check > summary { padding: 8px 12px; cursor: pointer; }
details.check > summary:hover { background: var(--soft); }
.check-id { font-weight: 600; }
.check-title { color: var(--dim); margin-left: 4px; }
.reason { display: block; margin: 4px 0 0 72px; font-size: 14px; }
details.check.failed .reason { color: var(--fail); }
.check-body { padding: 4px 14px 12px; border-top: 1px solid var(--line); }
details.step { margin: 6px 0; border: 1px solid var(--line); border-radius: 6px; }
details.step > summary {
  padding: 5px 10px; cursor: pointer; font-size: 14px; background: var(--soft); border-radius: 6px;
}
details.step[open] > summary { border-bottom: 1px solid var(--line); border-radius: 6px 6px 0 0; }
.step-failed > summary .step-mark { color: var(--fail); font-weight: 700; }
.step-ok > summary .step-mark { color: var(--pass); }
.step-n { color: var(--dim); }
.evidence { padding: 2px 12px 10px; }
section.ev { margin-top: 6px; }
section.ev p { margin: 2px 0; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 4px 0; font-size: 14px; }
dl.kv dt { color: var(--dim); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 13.5px; margin: 4px 0 8px; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
table.thresholds, table.phases, table.propagation { width: auto; min-width: 50%; }
table.headers td:first-child { width: 28%; white-space: nowrap; }
table.failures td:last-child { font-weight: 600; }
.bar { display: inline-block; height: 10px; width: calc(var(--w) * 1.6px); min-width: 2px; background: var(--accent);
  border-radius: 2px; vertical-align: 0; margin-right: 4px; }
.surge-verdict { font-weight: 700; font-size: 17px; padding: 8px 12px; border-radius: 6px; display: inline-block; }
.surge-verdict.passed { background: var(--pass-bg); color: var(--pass); }
.surge-verdict.failed { background: var(--fail-bg); color: var(--fail); }
.surge-verdict.warn { background: var(--warn-bg); color: var(--warn); }
.notes li { color: var(--warn); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure.chart {
  margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; min-width: 0; overflow: hidden;
}
figure.chart figcaption { font-weight: 600; font-size: 14px; margin-bottom: 4px; }
.uplot .u-title { display: none; }
footer { color: var(--dim); font-size: 13px; margin-top: 40px; }
/* the comparison view (reports/compare/html.ts) */
.comparison .cell-failed { color: var(--fail); font-weight: 600; }
.comparison .cell-differs { outline: 2px solid var(--warn); outline-offset: 1px; }
.comparison .differs code { font-weight: 700; }
.muted { color: var(--dim); }
ul.regressions li.failed { color: var(--fail); font-weight: 600; }
@media print { .toolbar { display: none; } details { break-inside: avoid; } }
`;
