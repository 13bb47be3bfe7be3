// Reading h2load's and openssl s_time's reports for `npm run bench -- --h2`
// and `--handshakes`, from their own output as nghttp2 1.52 and OpenSSL 3.0 print it.
import t from 'tap';
import { sTimeConnections } from '../bench/handshakeBench.js';
import { h2loadProtocol, h2loadRps, h2SummaryLine } from '../bench/h2Bench.js';

const H2LOAD = `starting benchmark...
spawning thread #0: 2 total client(s). Timing-based test with 0s of warm-up time and 10s of main duration
Application protocol: h2
Main benchmark duration is over for thread #0. Stopping all clients.

finished in 10.00s, 27326.40 req/s, 30.65MB/s
requests: 273264 total, 273264 started, 273264 done, 273264 succeeded, 0 failed, 0 errored, 0 timeout
`;

const S_TIME = `Collecting connection statistics for 8 seconds
tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt

2428 connections in 2.91s; 834.36 connections/user sec, bytes read 2582508
2428 connections in 9 real seconds, 1063 bytes read per connection
`;

t.equal(h2loadRps(H2LOAD), 27326.4);
t.equal(h2loadProtocol(H2LOAD), 'h2');
t.equal(h2loadRps('h2load: could not connect'), undefined);
t.equal(h2loadProtocol('No protocol negotiated. Aborted'), undefined);
t.equal(sTimeConnections(S_TIME), 2428);
t.equal(sTimeConnections('connect error'), undefined);
t.equal(h2SummaryLine(27326.4, 6831.6, 138.72), 'ratio_vs_h2load=0.25 rss_mb=138.7');
t.equal(h2SummaryLine(undefined, 6831.6, 138.72), 'ratio_vs_h2load=n/a rss_mb=138.7');
