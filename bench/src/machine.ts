/** How busy the machine is, to flag runs whose figures other work may have skewed. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface MachineLoad {
  loadAverage1m: number;
  /** % of the last 10 s in which some runnable task waited for a CPU (Linux PSI); absent without PSI. */
  cpuPressure10s?: number;
  /**
   * The same over the last second only (from PSI's running total); absent without PSI or when not
   * measured. At the start of `npm run bench` the 10 s figure still holds the build that ran just
   * before (tsc and vite on both cores), this one does not.
   */
  cpuPressure1s?: number;
}

/** PSI's "some" line of /proc/pressure/cpu: the 10 s average and the running total in µs; undefined without PSI. */
function readCpuPressure(): { avg10: number; totalMicros: number } | undefined {
  try {
    const some = /^some avg10=([\d.]+) .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some ? { avg10: Number(some[1]), totalMicros: Number(some[2]) } : undefined;
  } catch {
    return undefined; // no PSI on this kernel
  }
}

export function machineLoad(pressure = readCpuPressure()): MachineLoad {
  const load: MachineLoad = { loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 };
  if (pressure) load.cpuPressure10s = pressure.avg10;
  return load;
}

/** {@link machineLoad}, with the CPU pressure of the coming `windowMs` measured as well. */
export async function machineLoadOver(windowMs = 1000): Promise<MachineLoad> {
  const before = readCpuPressure();
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = readCpuPressure();
  const load = machineLoad(after);
  if (before && after) {
    const elapsedMicros = (performance.now() - startedAt) * 1000;
    load.cpuPressure1s = Math.round(((after.totalMicros - before.totalMicros) * 10_000) / elapsedMicros) / 100;
  }
  return load;
}

/** A warning when other work is competing for the CPUs, else undefined. */
export function busyWarning(load: MachineLoad): string | undefined {
  const pressure =
    load.cpuPressure1s !== undefined
      ? { percent: load.cpuPressure1s, over: '1 s' }
      : load.cpuPressure10s !== undefined
        ? { percent: load.cpuPressure10s, over: '10 s' }
        : undefined;
  const busy = pressure ? pressure.percent > 10 : load.loadAverage1m > cpus().length / 2;
  if (!busy) return undefined;
  const shown = pressure ? `, CPU pressure ${pressure.percent} % over ${pressure.over}` : '';
  return `note: the machine is busy (1-min load average ${load.loadAverage1m}${shown}); figures may be low and noisy`;
}

/** The soft limit of open files of this process (`ulimit -n`), from `/proc/self/limits`; undefined when unknown. */
export function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    return undefined;
  }
}
