/** How busy the machine is, to flag runs whose figures other work may have skewed. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export interface MachineLoad {
  loadAverage1m: number;
  /** % of the last 10 s in which some runnable task waited for a CPU (Linux PSI); absent without PSI. */
  cpuPressure10s?: number;
}

export function machineLoad(): MachineLoad {
  const load: MachineLoad = { loadAverage1m: Math.round(loadavg()[0]! * 100) / 100 };
  try {
    const some = /^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    if (some) load.cpuPressure10s = Number(some[1]);
  } catch {
    // no PSI on this kernel
  }
  return load;
}

/** A warning when other work is competing for the CPUs, else undefined. */
export function busyWarning(load: MachineLoad): string | undefined {
  const busy = load.cpuPressure10s !== undefined ? load.cpuPressure10s > 10 : load.loadAverage1m > cpus().length / 2;
  if (!busy) return undefined;
  const pressure = load.cpuPressure10s !== undefined ? `, CPU pressure ${load.cpuPressure10s} % over 10 s` : '';
  return `note: the machine is busy (1-min load average ${load.loadAverage1m}${pressure}); figures may be low and noisy`;
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
