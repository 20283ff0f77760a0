/** Small fixtures many tests share: shipyards of one sequence per stage, and a clock moved by hand. */
import type { Clock } from '@shipmate/core';

/**
 * A shipyard whose stages each have one sequence (`delivery` unless named) with the given tasks,
 * e.g. `shipyardYaml({ dev: ['deployment', 'test'], production: ['deployment'] })`.
 */
export function shipyardYaml(stages: Record<string, readonly string[]>, options: { name?: string; sequence?: string } = {}): string {
  const lines = [
    'apiVersion: spec.keptn.sh/0.2.3',
    'kind: Shipyard',
    'metadata:',
    `  name: ${options.name ?? 'test'}`,
    'spec:',
    '  stages:',
  ];
  for (const [stage, tasks] of Object.entries(stages)) {
    lines.push(`    - name: ${stage}`, '      sequences:', `        - name: ${options.sequence ?? 'delivery'}`, '          tasks:');
    for (const task of tasks) lines.push(`            - name: ${task}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A clock the test moves by hand, starting at `startMs` (2024-01-01 by default). */
export function manualClock(startMs = Date.UTC(2024, 0, 1)): Clock & { advance(ms: number): void } {
  let now = startMs;
  return { nowMs: () => now, advance: (ms) => void (now += ms) };
}
