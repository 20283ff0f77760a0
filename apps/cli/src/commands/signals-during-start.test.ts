import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdSignalsDuringStart } from './signals-during-start.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function listeners() {
  return { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
}

describe('holdSignalsDuringStart', () => {
  it('keeps the first signal, says so once, and hands it to the handler; later ones go to the handler', () => {
    const before = listeners();
    const lines: string[] = [];
    const signals = holdSignalsDuringStart((line) => lines.push(line), 'the control plane');
    process.emit('SIGTERM', 'SIGTERM');
    expect(lines).toEqual(['SIGTERM received while starting the control plane: shutting down once it has started\n']);
    const handled: string[] = [];
    signals.handOver((signal) => handled.push(signal));
    expect(handled).toEqual(['SIGTERM']);
    process.emit('SIGINT', 'SIGINT');
    expect(handled).toEqual(['SIGTERM', 'SIGINT']);
    // One listener per signal the whole time (removing and adding one can lose a signal).
    expect(listeners()).toEqual({ term: before.term + 1, int: before.int + 1 });
    signals.release();
    expect(listeners()).toEqual(before);
  });

  it('hands over nothing when no signal came', () => {
    const signals = holdSignalsDuringStart(() => undefined, 'agent a');
    const handled: string[] = [];
    signals.handOver((signal) => handled.push(signal));
    expect(handled).toEqual([]);
    signals.release();
  });

  it('exits at once with code 1 on a second signal before the hand-over, and keeps the first', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const signals = holdSignalsDuringStart(() => undefined, 'agent a');
    process.emit('SIGINT', 'SIGINT');
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit).toHaveBeenCalledWith(1);
    const handled: string[] = [];
    signals.handOver((signal) => handled.push(signal));
    expect(handled).toEqual(['SIGINT']);
    signals.release();
  });
});
