// npm run bench reads wrk's and autocannon's reports and ends with a line a
// script can parse; its speed is reported, not tested.
import t from 'tap';
import { autocannonRps, cpuNote, summaryLine, wrkRps } from '../bench/benchOutput.js';
import { childrenCpuSeconds, reapedChildrenCpuSeconds } from '../bench/cpuTime.js';
import { execFileSync } from 'node:child_process';

const WRK = `Running 15s test @ https://127.0.0.1:35829/.edgecheck/x/bench.tools/index.html
  2 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   811.44us  412.33us  12.51ms   88.02%
    Req/Sec    33.66k     2.01k   38.29k    71.33%
  1004687 requests in 15.01s, 1.29GB read
Requests/sec:  66936.71
Transfer/sec:     88.02MB
`;

t.test('wrk: Requests/sec', async (t) => {
  t.equal(wrkRps(WRK), 66936.71);
  t.equal(wrkRps('unable to connect to 127.0.0.1:1 Connection refused\n'), undefined);
});

t.test('autocannon --json: completed requests over the duration', async (t) => {
  const json = JSON.stringify({ requests: { average: 27700, total: 415040 }, duration: 15.01, errors: 0 });
  t.equal(Math.round(autocannonRps(`some warning\n${json}\n`)!), 27651);
  t.equal(autocannonRps('no json here'), undefined);
});

t.test('the last line: ratios to each tool and the surge peak RSS', async (t) => {
  t.equal(
    summaryLine({ wrk: 66936.7, autocannon: 27668.9, surge: 41552.4, rssMb: 133.08 }),
    'ratio_vs_wrk=0.62 ratio_vs_autocannon=1.50 rss_mb=133.1',
  );
  t.equal(
    summaryLine({ surge: 1000, rssMb: 90 }),
    'ratio_vs_wrk=n/a ratio_vs_autocannon=n/a rss_mb=90.0',
    'n/a where a tool did not run',
  );
  t.match(summaryLine({ wrk: 1, surge: 1, rssMb: 1 }), /^ratio_vs_wrk=\S+ ratio_vs_autocannon=\S+ rss_mb=\S+$/);
});

t.test("each tool's CPU: cores used and requests per CPU-second", async (t) => {
  t.equal(cpuNote(80_000, 7.2, 10), 'on 0.72 cores, 111.1k req per CPU-second');
  t.equal(cpuNote(80_000, undefined, 10), '', 'nothing where the CPU time is unknown');
  t.equal(cpuNote(80_000, 0, 10), '');
});

t.test('CPU time of exited children from /proc/self/stat', async (t) => {
  // a command name with spaces and parentheses must not shift the fields
  const stat = '4242 (node (bee) 1) S 1 4242 1 0 -1 4194304 100 0 0 0 250 40 731 269 20 0 12 0 5 0 0';
  t.equal(childrenCpuSeconds(stat), 10, 'cutime 731 + cstime 269 ticks at USER_HZ 100');
  t.throws(() => childrenCpuSeconds('1 (x) S 1'), /unexpected/);
  const before = reapedChildrenCpuSeconds();
  t.ok(before !== undefined, 'this machine has /proc');
  execFileSync(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
  t.ok(reapedChildrenCpuSeconds()! - before! >= 0.2, 'a child that spun for 300 ms is counted once it has exited');
});
