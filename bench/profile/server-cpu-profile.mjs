/**
 * CPU profile of the `shipmate server` processes a bench run starts. Node refuses `--cpu-prof` in
 * NODE_OPTIONS, but accepts `--import`, and the bench passes its environment to the server, so:
 *
 *   BENCH_ONLY=b BENCH_PROFILE_DIR=/tmp/prof NODE_OPTIONS="--import ./bench/profile/server-cpu-profile.mjs" \
 *     node bench/dist/run-bench.js
 *
 * Every Node process of the run loads this file (the bench itself, the bare server, an agent); only a
 * process whose arguments include `server` profiles itself, through the inspector, and writes
 * `server-<pid>.cpuprofile` into BENCH_PROFILE_DIR (default: the current directory) when it exits
 * (the bench stops it with SIGTERM, and it exits normally). Open the file in Chrome DevTools or
 * VS Code. Sampling every 200 µs (BENCH_PROFILE_INTERVAL_US) costs the server a few % of its CPU.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

if (process.argv.slice(2).includes('server')) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 200) });
  session.post('Profiler.start');
  process.on('exit', () => {
    // A same-thread inspector session answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (error, result) => {
      if (error) return console.error(`server-cpu-profile: ${error.message}`);
      const file = join(process.env.BENCH_PROFILE_DIR ?? '.', `server-${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
