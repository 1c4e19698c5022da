import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDuration, formatValue } from '../src/format.js';
import { assertFiniteLoss, NonFiniteLossError } from '../src/guard.js';
import { JsonlWriter, readJsonl } from '../src/jsonl.js';
import { niceTicks, panelsFromRecords, renderTrainingPlot } from '../src/plot.js';
import { writeTrainingPlot } from '../src/plot-file.js';
import { ProgressReporter } from '../src/progress.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cat-train-log-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (text: string) => writes.push(text) } };
}

describe('progress', () => {
  it('prints plain lines with rate and ETA at the line interval when not a terminal', () => {
    let now = 0;
    const { writes, stream } = fakeStream(false);
    const progress = new ProgressReporter({
      total: 1000,
      startStep: 100,
      stream,
      lineInterval: 10,
      now: () => now,
    });
    now = 5000;
    progress.update(150, { loss: 1.23456, lr: 5e-4 });
    now = 9000;
    progress.update(170);
    now = 20_000;
    progress.update(250);
    // (250 - 100) steps in 20 s = 7.5 step/s; 750 steps left = 100 s.
    expect(writes).toEqual([
      'step 150/1000 15.0% 10 step/s ETA 1m25s loss=1.235 lr=5.00e-4\n',
      'step 250/1000 25.0% 7.5 step/s ETA 1m40s\n',
    ]);
    now = 20_001;
    progress.update(1000);
    expect(writes).toHaveLength(3);
    expect(writes[2]).toMatch(/^step 1000\/1000 100\.0% .* ETA 0s\n$/);
    progress.finish();
    expect(writes).toHaveLength(3);
  });

  it('redraws a bar in place on a terminal, at most every 100 ms, and ends the line', () => {
    let now = 0;
    const { writes, stream } = fakeStream(true);
    const progress = new ProgressReporter({ total: 10, stream, now: () => now });
    now = 1000;
    progress.update(5, { loss: 0.5 });
    now = 1050;
    progress.update(6);
    now = 2000;
    progress.update(10);
    progress.finish();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toBe(
      `\r[${'#'.repeat(15)}${'.'.repeat(15)}] 5/10 50.0% 5 step/s ETA 1s loss=0.5\x1b[K`,
    );
    expect(writes[1]).toBe(`\r[${'#'.repeat(30)}] 10/10 100.0% 5 step/s ETA 0s\x1b[K`);
    expect(writes[2]).toBe('\n');
  });

  it('formats values and durations compactly', () => {
    expect([
      formatValue(1.23456),
      formatValue(5e-4),
      formatValue(123456),
      formatValue(0),
      formatValue(Number.NaN),
    ]).toEqual(['1.235', '5.00e-4', '1.23e+5', '0', 'NaN']);
    expect([
      formatDuration(3),
      formatDuration(125),
      formatDuration(3723),
      formatDuration(Number.NaN),
    ]).toEqual(['3s', '2m05s', '1h02m03s', '?']);
  });
});

describe('JSONL metrics', () => {
  it('appends one object per line, readable while the writer is open', () => {
    const path = join(dir, 'metrics.jsonl');
    const log = new JsonlWriter(path);
    log.append({ step: 1, loss: 2.5 });
    log.append({ step: 2, loss: 2.25, note: 'a "quoted" word' });
    expect(readFileSync(path, 'utf8')).toBe(
      '{"step":1,"loss":2.5}\n{"step":2,"loss":2.25,"note":"a \\"quoted\\" word"}\n',
    );
    expect(readJsonl(path)).toEqual([
      { step: 1, loss: 2.5 },
      { step: 2, loss: 2.25, note: 'a "quoted" word' },
    ]);
    log.close();
    expect(() => log.append({ step: 3 })).toThrow(/append after close/);
  });

  it('survives a line torn by a kill: skipped on read, and the next run starts a fresh line', () => {
    const path = join(dir, 'metrics.jsonl');
    appendFileSync(path, '{"step":1,"loss":2}\n{"step":2,"lo');
    const log = new JsonlWriter(path);
    log.append({ step: 2, loss: 1.5 });
    log.close();
    expect(readJsonl(path)).toEqual([
      { step: 1, loss: 2 },
      { step: 2, loss: 1.5 },
    ]);
    expect(readJsonl(join(dir, 'absent.jsonl'))).toEqual([]);
  });
});

/** Checks that tags nest and close properly (the SVG is well-formed XML), returning the element names. */
function wellFormedElements(svg: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) stack.push(name);
    if (!closing) names.push(name);
  }
  expect(stack).toEqual([]);
  // Nothing but whitespace or text between tags: no malformed tag was skipped by the regex.
  expect(svg.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]/);
  return names;
}

describe('SVG training plot', () => {
  it('picks round ticks covering the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.87)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 400_000)).toEqual([0, 100_000, 200_000, 300_000, 400_000]);
    expect(niceTicks(2, 2)).toEqual([1.8, 1.9, 2, 2.1, 2.2]);
  });

  it('draws each series where its values fall, with axes, labels and a legend', () => {
    const records = [
      { step: 0, loss: 1 },
      { step: 5, loss: 0.5, mAP: 0.2 },
      { step: 10, loss: 0 },
      { step: 10, mAP: 0.4 },
    ];
    const panels = panelsFromRecords(records, [
      { title: 'training loss', keys: ['loss'] },
      { title: 'eval <mAP & acc>', keys: ['mAP'] },
    ]);
    expect(panels[1].series[0].points).toEqual([
      [5, 0.2],
      [10, 0.4],
    ]);
    const svg = renderTrainingPlot(panels, { width: 800, panelHeight: 260 });
    const names = wellFormedElements(svg);
    expect(names[0]).toBe('svg');
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('eval &lt;mAP &amp; acc&gt;');
    expect(names.filter((n) => n === 'polyline')).toHaveLength(2);
    // Plot area: x from 72 to 764 (width − margins), panel 0 y from 30 to 214; steps 0..10, loss ticks 0..1.
    const lossLine = /<polyline[^>]*points="([^"]+)"/.exec(svg)![1].split(' ');
    expect(lossLine).toEqual(['72.00,30.00', '418.00,122.00', '764.00,214.00']);
    for (const label of ['>step<', '>loss<', '>mAP<', '>training loss<', '>0.4<', '>10<'])
      expect(svg).toContain(label);
  });

  it('breaks lines at non-finite values and marks lone points', () => {
    const svg = renderTrainingPlot([
      {
        title: 'loss',
        series: [
          {
            name: 'loss',
            points: [
              [0, 1],
              [1, 2],
              [2, Number.NaN],
              [3, 1],
            ],
          },
        ],
      },
    ]);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(1);
    expect(svg).not.toContain('NaN');
    expect(renderTrainingPlot([{ title: 'empty', series: [] }])).toContain('>no data<');
  });

  it('replaces the plot file atomically', async () => {
    const path = join(dir, 'plot.svg');
    await writeTrainingPlot(path, [{ title: 'a', series: [{ name: 'x', points: [[0, 1]] }] }]);
    await writeTrainingPlot(path, [{ title: 'b', series: [{ name: 'x', points: [[0, 1]] }] }]);
    expect(readFileSync(path, 'utf8')).toContain('>b<');
    expect(readdirSync(dir)).toEqual(['plot.svg']);
  });
});

describe('non-finite loss guard', () => {
  it('throws NonFiniteLossError naming the step and value', () => {
    expect(() => assertFiniteLoss(0.5, 3)).not.toThrow();
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      let caught: unknown;
      try {
        assertFiniteLoss(bad, 1234, 'frame loss');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(NonFiniteLossError);
      expect((caught as NonFiniteLossError).step).toBe(1234);
      expect(Object.is((caught as NonFiniteLossError).value, bad)).toBe(true);
      expect((caught as Error).message).toMatch(new RegExp(`^frame loss is ${bad} at step 1234`));
    }
  });
});
