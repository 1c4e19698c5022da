import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

async function run(argv: string[]) {
  const out: string[] = [];
  const status = await main(argv, { stdout: (l) => out.push(l), stderr: () => {} });
  return { status, lines: out };
}

describe('cat-audio bench step / bench embed', () => {
  it.each([['step'], ['embed']])('bench %s ends with clips/s and GFLOP/s lines', async (what) => {
    const { status, lines } = await run([
      'bench',
      what,
      '--model',
      'cat-tiny',
      '--batch',
      '1',
      '--target-length',
      '64',
      '--reps',
      '1',
      '--backend',
      'wasm',
    ]);
    expect(status).toBe(0);
    const clips = /^clips\/s: (\d+(\.\d+)?)$/.exec(lines.at(-2) ?? '');
    const gflops = /^GFLOP\/s: (\d+(\.\d+)?)$/.exec(lines.at(-1) ?? '');
    expect(clips, lines.join('\n')).not.toBeNull();
    expect(gflops, lines.join('\n')).not.toBeNull();
    expect(Number(clips![1])).toBeGreaterThan(0);
    // Achieved model GFLOP/s cannot exceed the measured matmul ceiling by much on one core.
    const ceiling = Number(/matmul ceiling \(1024\^3\): ([\d.]+)/.exec(lines.join('\n'))![1]);
    expect(Number(gflops![1])).toBeLessThan(ceiling * 1.5);
  });
});
