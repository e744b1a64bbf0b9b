import { describe, expect, it } from 'vitest';
import { CheckError } from '../errors.js';
import type { FileCheck } from '../types.js';
import { CheckRun, type Outcome } from './CheckRun.js';
import { RunningChecks } from './RunningChecks.js';

const check: FileCheck = { name: 'c', version: '1.0.0', check: async () => 1, describe: () => ({ name: 'c', version: '1' }) };

function runEndingIn(ms: number, running: RunningChecks, log: string[], name: string): CheckRun {
  const run: CheckRun = new CheckRun(check, ms, () => new CheckError('TIMEOUT', name), (outcome: Outcome) => {
    running.delete(run);
    log.push(`${name}:${'error' in outcome ? outcome.error.code : 'done'}`);
  });
  running.add(run);
  return run;
}

describe('RunningChecks', () => {
  it('stops each run at its own deadline with one timer, even when a later run ends sooner', async () => {
    const running = new RunningChecks();
    const log: string[] = [];
    const started = performance.now();
    runEndingIn(150, running, log, 'slow');
    runEndingIn(20, running, log, 'quick');
    const finished = runEndingIn(100, running, log, 'finishes');
    finished.finish({ result: 'ok' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(log).toEqual(['finishes:done', 'quick:TIMEOUT']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(log).toEqual(['finishes:done', 'quick:TIMEOUT', 'slow:TIMEOUT']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('ignores what a stopped run reports afterwards, and tells it through its signal', () => {
    const running = new RunningChecks();
    const log: string[] = [];
    const run = runEndingIn(10_000, running, log, 'r');
    const signal = run.signal;
    running.stopAll(() => new CheckError('ABORTED', 'cancelled'));
    run.finish({ result: 'too late' });
    expect(log).toEqual(['r:ABORTED']);
    expect(signal.aborted).toBe(true);
    // A signal asked for after the stop is born aborted.
    const late = runEndingIn(10_000, running, log, 'late');
    late.stop(new CheckError('TIMEOUT', 'late'));
    expect(late.signal.aborted).toBe(true);
  });
});
