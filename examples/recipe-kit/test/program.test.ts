import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Output } from '../src/cat-audio.js';
import { finetuneOptions, finetuneUsage, positiveInteger, runChoices, runProgram } from '../src/program.js';

/** A stand-in for `process`: records what is written, exit calls, and fires 'exit' on demand. */
function fakeProcess(args: string[]) {
  const listeners: ((code: number) => void)[] = [];
  const proc = {
    argv: ['node', 'run.js', ...args],
    out: '',
    err: '',
    exits: [] as (number | undefined)[],
    exitCode: undefined as number | string | undefined,
    stdout: { write: (text: string) => (proc.out += text) },
    stderr: { write: (text: string) => (proc.err += text) },
    exit: (code?: number) => {
      proc.exits.push(code);
    },
    on: (_event: 'exit', listener: (code: number) => void) => listeners.push(listener),
    /** What Node does when the event loop is empty, or on process.exit(code). */
    fireExit: (code: number) => {
      for (const listener of listeners) listener(code);
    },
  };
  return proc;
}

describe('program options', () => {
  it('parses the shared options with their defaults and checks the numbers', () => {
    const options = finetuneOptions({ out: 'runs/x', microBatch: 4 });
    const { values } = parseArgs({
      args: ['--batch', '8', '--steps', '10', '--set', 'seed=2', '--set', 'data.workers=0', '--init', 'w.st'],
      options,
    });
    expect(values.out).toBe('runs/x');
    expect(runChoices(values)).toEqual({
      model: undefined,
      init: 'w.st',
      backend: undefined,
      batch: 8,
      microBatch: 4,
      steps: 10,
      targetLength: undefined,
      set: ['seed=2', 'data.workers=0'],
    });
    expect(() => runChoices({ batch: '0' })).toThrow("--batch must be a whole number > 0, got '0'");
    expect(() => runChoices({ 'target-length': '1.5' })).toThrow('--target-length must be a whole number');
    expect(positiveInteger(undefined, 'steps')).toBeUndefined();
    expect(positiveInteger('007', 'steps')).toBe(7);
  });

  it("documents them with the recipe's values", () => {
    const usage = finetuneUsage({ batch: 48, steps: 4000, targetLength: 512 }, 1).split('\n');
    expect(usage).toHaveLength(8);
    expect(usage).toContain("  --batch N           clips per optimizer step (default: the recipe's 48)");
    expect(usage).toContain('  --micro-batch N     clips per pass, accumulated to --batch (default 1)');
    // Every option but --out (which each program describes itself), each once.
    const documented = usage.map((line) => line.trim().split(' ')[0]);
    const parsed = Object.keys(finetuneOptions({ out: '', microBatch: 1 })).map((name) => `--${name}`);
    expect(new Set(documented)).toEqual(new Set(parsed.filter((name) => name !== '--out')));
  });
});

describe('runProgram', () => {
  it('prints the usage for --help without running the program', async () => {
    const proc = fakeProcess(['--data', 'x', '--help']);
    let ran = false;
    await runProgram('demo', 'Usage: demo', async () => (ran = true), proc);
    expect(proc.out).toBe('Usage: demo\n');
    expect(proc.exits).toEqual([0]);
    expect(ran).toBe(false);
  });

  it('hands the arguments and an output to the program, and exits normally after it', async () => {
    const proc = fakeProcess(['--data', 'x']);
    let seen: string[] = [];
    await runProgram(
      'demo',
      '',
      async (argv: string[], output: Output) => {
        seen = argv;
        output.stdout('result');
        output.stderr('progress');
      },
      proc,
    );
    proc.fireExit(0);
    expect(seen).toEqual(['--data', 'x']);
    expect([proc.out, proc.err]).toEqual(['result\n', 'progress\n']);
    expect(proc.exits).toEqual([]);
    expect(proc.exitCode).toBeUndefined();
  });

  it('prints an error with the program name and exits with status 1', async () => {
    const proc = fakeProcess([]);
    await runProgram('demo', '', async () => Promise.reject(new Error('--data is required')), proc);
    expect(proc.err).toBe('demo: --data is required\n');
    expect(proc.exits).toEqual([1]);
  });

  it('turns an exit with status 0 before the program has finished (a wasm abort) into status 1', async () => {
    const proc = fakeProcess([]);
    void runProgram('demo', '', () => new Promise(() => {}), proc);
    proc.fireExit(0);
    expect(proc.err).toBe(
      'demo: stopped before finishing (the wasm backend aborted: out of memory? try a smaller --micro-batch)\n',
    );
    expect(proc.exitCode).toBe(1);
  });

  it('leaves a failing exit status as it is', async () => {
    const proc = fakeProcess([]);
    void runProgram('demo', '', () => new Promise(() => {}), proc);
    proc.fireExit(7);
    expect(proc.err).toBe('');
    expect(proc.exitCode).toBeUndefined();
  });
});
