import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { allowedCpus, parseCpuList, pinProcess } from './cpu-affinity.js';

describe('parseCpuList', () => {
  it('expands ranges and single CPUs', () => {
    expect(parseCpuList('0')).toEqual([0]);
    expect(parseCpuList('0-1')).toEqual([0, 1]);
    expect(parseCpuList('0-2,5,7-8\n')).toEqual([0, 1, 2, 5, 7, 8]);
  });

  it('rejects what is not a CPU list', () => {
    for (const bad of ['', 'a', '1-', '3-1', '0,,1', '0 1']) {
      expect(() => parseCpuList(bad), bad).toThrow(/not a CPU list/);
    }
  });
});

describe('pinProcess', () => {
  it('restricts a running process to the given CPU and reads it back', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = child.pid!;
      const first = allowedCpus()[0]!;
      pinProcess(pid, [first]);
      expect(allowedCpus(pid)).toEqual([first]);
    } finally {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('names taskset when pinning fails', () => {
    expect(() => pinProcess(2 ** 22 + 1, [0])).toThrow(/could not pin pid 4194305 to CPUs 0 with taskset \(util-linux\): no such process/);
  });
});
