// The page's own script, inlined after uPlot: draws the charts from the JSON the
// page carries, filters checks by verdict, opens a check the address points at.
// Plain ES2020 for the browser; it fetches nothing, so the page works from file://.

export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('edgecheck-charts').textContent || '[]');
  var drawn = [];

  function phaseMarks(marks) {
    return {
      hooks: {
        draw: [
          function (u) {
            var ctx = u.ctx;
            var dpr = window.devicePixelRatio || 1;
            ctx.save();
            ctx.strokeStyle = 'rgba(60, 70, 90, 0.45)';
            ctx.fillStyle = '#3d4656';
            ctx.lineWidth = dpr;
            ctx.setLineDash([4 * dpr, 4 * dpr]);
            ctx.font = 11 * dpr + 'px system-ui, sans-serif';
            // uPlot leaves its axes' alignment on the context
            ctx.textAlign = 'left';
            ctx.textBaseline = 'alphabetic';
            marks.forEach(function (m) {
              var x = Math.round(u.valToPos(m.x, 'x', true));
              if (x < u.bbox.left - 1 || x > u.bbox.left + u.bbox.width + 1) return;
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              var w = ctx.measureText(m.label).width;
              ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
              ctx.fillRect(x + 2 * dpr, u.bbox.top + 1 * dpr, w + 4 * dpr, 14 * dpr);
              ctx.fillStyle = '#3d4656';
              ctx.fillText(m.label, x + 4 * dpr, u.bbox.top + 12 * dpr);
            });
            ctx.restore();
          },
        ],
      },
    };
  }

  function chartWidth(el) {
    return Math.max(320, Math.floor(el.clientWidth) - 2);
  }

  function draw(spec) {
    var el = document.getElementById(spec.id);
    if (!el) return;
    var series = [{ label: 'second' }];
    spec.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        width: 2,
        dash: s.dash ? [6, 4] : undefined,
        scale: s.right ? 'y2' : 'y',
        points: { show: spec.x.length < 40 },
      });
    });
    var axes = [
      { label: 'seconds since the surge began' },
      { label: spec.unit, scale: 'y' },
    ];
    function fromZero(u, min, max) {
      return [0, Math.max(1, max * 1.1)];
    }
    var scales = { x: { time: false, range: [0, spec.xMax] }, y: { range: spec.range || fromZero } };
    if (spec.unit2) {
      axes.push({ label: spec.unit2, scale: 'y2', side: 1, grid: { show: false } });
      scales.y2 = { range: fromZero };
    }
    var rows = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    var plot = new uPlot(
      {
        width: chartWidth(el),
        height: 240,
        scales: scales,
        axes: axes,
        series: series,
        plugins: [phaseMarks(spec.marks)],
      },
      rows,
      el,
    );
    drawn.push({ id: spec.id, plot: plot, el: el });
  }

  data.forEach(draw);
  window.edgecheckCharts = drawn;
  window.addEventListener('resize', function () {
    drawn.forEach(function (c) {
      c.plot.setSize({ width: chartWidth(c.el), height: 240 });
    });
  });

  document.querySelectorAll('[data-filter]').forEach(function (button) {
    button.addEventListener('click', function () {
      document.body.setAttribute('data-show', button.getAttribute('data-filter'));
      document.querySelectorAll('[data-filter]').forEach(function (b) {
        b.setAttribute('aria-pressed', String(b === button));
      });
    });
  });

  function setOpen(selector, open) {
    document.querySelectorAll(selector).forEach(function (d) { d.open = open; });
  }
  var openFailing = document.getElementById('open-failing');
  if (openFailing) {
    openFailing.addEventListener('click', function () {
      setOpen('details.check.failed, details.check.failed-optional', true);
    });
  }
  var closeAll = document.getElementById('close-all');
  if (closeAll) {
    closeAll.addEventListener('click', function () {
      setOpen('details.check', false);
    });
  }

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    for (var node = el; node; node = node.parentElement) if (node.tagName === 'DETAILS') node.open = true;
    if (el) el.scrollIntoView();
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
`;
