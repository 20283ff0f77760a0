import { describe, expect, it } from 'vitest';
import { parseWrkOutput, wrkRunProblems } from './wrk-output.js';

// Reports as Debian's wrk 4.1.0 printed them on the dev VM (`wrk -t1 -c… -d… --latency -s post-body.lua`).
const CLEAN = `Running 3s test @ http://127.0.0.1:18555/api/v1/event
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.33ms   15.41ms 131.80ms   94.63%
    Req/Sec    43.10k    18.01k   58.92k    83.33%
  Latency Distribution
     50%  572.00us
     75%  780.00us
     90%    4.20ms
     99%   95.46ms
  128608 requests in 3.04s, 20.48MB read
Requests/sec:  42252.53
Transfer/sec:      6.73MB
`;

/** The bare server answering 400 to a body that is not JSON. */
const NON_2XX = `Running 1s test @ http://127.0.0.1:18555/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   229.91us  706.18us  12.23ms   94.90%
    Req/Sec    45.44k    16.18k   58.32k    81.82%
  Latency Distribution
     50%   75.00us
     75%  106.00us
     90%  255.00us
     99%    3.53ms
  49556 requests in 1.10s, 9.22MB read
  Non-2xx or 3xx responses: 49556
Requests/sec:  45086.20
Transfer/sec:      8.38MB
`;

/** The server killed half-way through the run. */
const SOCKET_ERRORS = `Running 2s test @ http://127.0.0.1:18557/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   121.93us  451.88us   9.57ms   96.74%
    Req/Sec    70.66k    23.48k   88.18k    80.00%
  Latency Distribution
     50%   37.00us
     75%   68.00us
     90%   85.00us
     99%    2.55ms
  70105 requests in 2.00s, 11.17MB read
  Socket errors: connect 0, read 4, write 177710, timeout 0
Requests/sec:  34980.02
Transfer/sec:      5.57MB
`;

describe('parseWrkOutput', () => {
  it('reads throughput, run time and the latency distribution in ms', () => {
    const report = parseWrkOutput(CLEAN);
    expect(report).toEqual({
      threads: 1,
      connections: 32,
      requests: 128608,
      durationSeconds: 3.04,
      requestsPerSecond: 42252.53,
      latencyMs: { mean: 4.33, stdev: 15.41, max: 131.8, p50: 0.572, p75: 0.78, p90: 4.2, p99: 95.46 },
      socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
      non2xxOr3xx: 0,
    });
    expect(wrkRunProblems(report)).toEqual([]);
  });

  it('converts seconds in the latency lines', () => {
    const slow = CLEAN.replace('     99%   95.46ms', '     99%    1.25s').replace('131.80ms', '2.00s');
    const report = parseWrkOutput(slow);
    expect(report.latencyMs.p99).toBe(1250);
    expect(report.latencyMs.max).toBe(2000);
  });

  it('counts responses that were not 2xx/3xx and reports the run as invalid', () => {
    const report = parseWrkOutput(NON_2XX);
    expect(report.non2xxOr3xx).toBe(49556);
    expect(wrkRunProblems(report)).toEqual(['49556 of 49556 responses were not 2xx/3xx']);
  });

  it('counts socket errors and reports the run as invalid', () => {
    const report = parseWrkOutput(SOCKET_ERRORS);
    expect(report.socketErrors).toEqual({ connect: 0, read: 4, write: 177710, timeout: 0 });
    expect(wrkRunProblems(report)).toEqual(['socket errors: read 4, write 177710']);
  });

  it('reports a run without responses as invalid', () => {
    const report = parseWrkOutput(CLEAN.replace('128608 requests', '0 requests'));
    expect(wrkRunProblems(report)).toEqual(['no response completed']);
  });

  it('rejects output that is not a wrk report', () => {
    expect(() => parseWrkOutput('')).toThrow(/not a wrk --latency report: no threads and connections line/);
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:18556 Connection refused\n')).toThrow(/not a wrk --latency report/);
    expect(() => parseWrkOutput('{"requests": 5, "requestsPerSecond": 1000}')).toThrow(/not a wrk --latency report/);
  });

  it('rejects a report run without --latency', () => {
    const withoutDistribution = CLEAN.replace(/ {2}Latency Distribution\n(?: +\d+% +\S+\n)+/, '');
    expect(() => parseWrkOutput(withoutDistribution)).toThrow(/no latency 50% line/);
  });

  it('rejects a report whose numbers are not numbers', () => {
    expect(() => parseWrkOutput(CLEAN.replace('Requests/sec:  42252.53', 'Requests/sec:       nan'))).toThrow(/no Requests\/sec line/);
    expect(() => parseWrkOutput(CLEAN.replace('  128608 requests in 3.04s', '  many requests in 3.04s'))).toThrow(/no request count line/);
  });
});
