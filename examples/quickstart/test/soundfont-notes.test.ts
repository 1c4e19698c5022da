import { describe, expect, it } from 'vitest';
import {
  INSTRUMENT_FAMILIES,
  loadSoundFont,
  NoteRenderer,
  planNotes,
  samplesOfPreset,
  splitPrograms,
} from '../src/soundfont-notes.js';

const bank = loadSoundFont();
const presetOf = (program: number) =>
  bank.presets.find((preset) => preset.program === program && preset.bankMSB === 0 && !preset.isGMGSDrum)!;

describe('splitPrograms', () => {
  it.each([0, 1, 2, 3, 4])(
    'seed %i: test programs share no recorded sample with training programs',
    (seed) => {
      const split = splitPrograms(bank, seed);
      const train = [...split.train.values()].flat();
      const test = [...split.test.values()].flat();
      expect(train.length + test.length).toBe(80);
      const trainSamples = new Set(train.flatMap((program) => [...samplesOfPreset(presetOf(program))]));
      for (const program of test) {
        const shared = [...samplesOfPreset(presetOf(program))].filter((sample) => trainSamples.has(sample));
        expect(shared.map((sample) => `program ${program}: ${sample.name}`)).toEqual([]);
      }
      for (const family of INSTRUMENT_FAMILIES) {
        expect(split.test.get(family.name)!.length).toBeGreaterThanOrEqual(1);
        expect(split.test.get(family.name)!.length).toBeLessThanOrEqual(2);
        expect(split.train.get(family.name)!.length).toBeGreaterThanOrEqual(6);
      }
    },
  );

  it('keeps programs that share samples together (FluidR3Mono: pianos 0, 1 and 3 play the same recordings)', () => {
    const shared = [...samplesOfPreset(presetOf(0))].filter((sample) =>
      samplesOfPreset(presetOf(1)).has(sample),
    );
    expect(shared.length).toBeGreaterThan(0);
    for (let seed = 0; seed < 10; seed++) {
      const split = splitPrograms(bank, seed);
      const side = (program: number) => (split.test.get('piano')!.includes(program) ? 'test' : 'train');
      expect(side(1)).toBe(side(0));
      expect(side(3)).toBe(side(0));
    }
  });
});

describe('planNotes', () => {
  it('draws the same notes for the same seed, and only notes the program has samples for', () => {
    const split = splitPrograms(bank, 0);
    const plan = planNotes(split, 'train', 20, 0);
    expect(planNotes(split, 'train', 20, 0)).toEqual(plan);
    expect(planNotes(split, 'train', 20, 1)).not.toEqual(plan);
    for (const note of plan) {
      expect(split.train.get(note.family)).toContain(note.program);
      expect(split.notes.get(note.program)).toContain(note.note);
      expect(note.velocity).toBeGreaterThanOrEqual(40);
      expect(note.velocity).toBeLessThanOrEqual(127);
      expect(note.holdSeconds).toBeGreaterThanOrEqual(1);
      expect(note.holdSeconds).toBeLessThanOrEqual(1.4);
    }
    // The tuba (program 58) has no sample above MIDI note 72.
    expect(Math.max(...split.notes.get(58)!)).toBe(72);
  });
});

describe('NoteRenderer', () => {
  it('renders a note that sounds while held, decays after release, and is the same every time', async () => {
    const renderer = await NoteRenderer.create(bank, 2, 16_000);
    const note = {
      split: 'train',
      family: 'organ',
      program: 16,
      note: 60,
      velocity: 100,
      holdSeconds: 1,
    } as const;
    const audio = renderer.render(note);
    expect(audio.length).toBe(32_000);
    const rms = (from: number, to: number) =>
      Math.sqrt(audio.subarray(from, to).reduce((sum, value) => sum + value * value, 0) / (to - from));
    // An organ sustains while the key is down and stops after its release.
    expect(rms(8_000, 16_000)).toBeGreaterThan(0.01);
    expect(rms(28_000, 32_000)).toBeLessThan(rms(8_000, 16_000) / 100);
    renderer.render({ ...note, program: 73, note: 79 });
    expect(renderer.render(note)).toEqual(audio);
  });

  it('plays middle C at its pitch: the strongest period is 1/261.6 s', async () => {
    const renderer = await NoteRenderer.create(bank, 2, 16_000);
    const audio = renderer.render({
      split: 'train',
      family: 'pipe',
      program: 73,
      note: 60,
      velocity: 100,
      holdSeconds: 1.2,
    });
    const frame = audio.subarray(8_000, 12_000);
    let bestLag = 0;
    let best = -Infinity;
    // Autocorrelation over lags for 200-400 Hz.
    for (let lag = 40; lag <= 80; lag++) {
      let sum = 0;
      for (let i = 0; i + lag < frame.length; i++) sum += frame[i] * frame[i + lag];
      if (sum > best) {
        best = sum;
        bestLag = lag;
      }
    }
    expect(16_000 / bestLag).toBeGreaterThan(255);
    expect(16_000 / bestLag).toBeLessThan(267);
  });
});
