import { describe, expect, it } from 'vitest';
import { busyWarning, machineLoadOver } from './machine.js';

describe('busyWarning', () => {
  it('judges by the last second when it was measured, not by the 10 s average that holds the build', () => {
    expect(busyWarning({ loadAverage1m: 1.7, cpuPressure10s: 32.4, cpuPressure1s: 1.2 })).toBeUndefined();
    expect(busyWarning({ loadAverage1m: 0.2, cpuPressure10s: 2, cpuPressure1s: 25 })).toBe(
      'note: the machine is busy (1-min load average 0.2, CPU pressure 25 % over 1 s); figures may be low and noisy',
    );
    expect(busyWarning({ loadAverage1m: 1.7, cpuPressure10s: 32.4 })).toBe(
      'note: the machine is busy (1-min load average 1.7, CPU pressure 32.4 % over 10 s); figures may be low and noisy',
    );
  });
});

describe('machineLoadOver', () => {
  it('measures the CPU pressure of the window it waits, where the kernel has PSI', async () => {
    const load = await machineLoadOver(200);
    expect(load.loadAverage1m).toBeGreaterThanOrEqual(0);
    if (load.cpuPressure10s !== undefined) {
      expect(load.cpuPressure1s).toBeGreaterThanOrEqual(0);
      expect(load.cpuPressure1s).toBeLessThanOrEqual(100);
    }
  });
});
