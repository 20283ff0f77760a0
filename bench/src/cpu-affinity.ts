/**
 * CPU affinity of processes (Linux): which CPUs a process may run on (`Cpus_allowed_list` of
 * `/proc/<pid>/status`) and pinning every thread of a running process with `taskset -a -p`.
 * Figure (b) uses it to give the server under load and wrk one core each.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Expands a Linux CPU list such as `0-3,6` into `[0, 1, 2, 3, 6]`; throws on anything else. */
export function parseCpuList(list: string): number[] {
  const cpus = new Set<number>();
  for (const part of list.trim().split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    const first = Number(match?.[1]);
    const last = Number(match?.[2] ?? match?.[1]);
    if (!match || last < first) throw new Error(`not a CPU list: '${list}' (expected e.g. '0-3,6')`);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The CPUs `pid` (default: this process) may run on. */
export function allowedCpus(pid: number | 'self' = 'self'): number[] {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^Cpus_allowed_list:\s*(\S+)$/m.exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no Cpus_allowed_list line`);
  return parseCpuList(match[1]!);
}

/**
 * Restricts every thread of the running process `pid` to `cpus` (`taskset -a -p -c`) and checks
 * that it took (`taskset -a` quietly does nothing for a pid that does not exist).
 */
export function pinProcess(pid: number, cpus: readonly number[]): void {
  const fail = (why: string) => new Error(`could not pin pid ${pid} to CPUs ${cpus.join(',')} with taskset (util-linux): ${why}`);
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpus.join(','), String(pid)], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw fail(result.error ? result.error.message : result.stderr.trim());
  let now: number[];
  try {
    now = allowedCpus(pid);
  } catch {
    throw fail('no such process');
  }
  if (now.join(',') !== [...cpus].sort((a, b) => a - b).join(',')) throw fail(`it runs on CPUs ${now.join(',')} after taskset`);
}
