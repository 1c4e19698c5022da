import { NORMALIZATION_PRESETS } from '@cat/frontend';
import { type BackendRequest, MODEL_NAMES, type ModelName, prepareBackend } from '@cat/layers';
import { NpyFeatureStore, PackedFeatureStore } from '../stores.js';
import { SpectralDescriptorEncoder } from './descriptors.js';
import { FrozenCatEncoder, TOKEN_POOLINGS, type TokenPooling } from './frozen-cat.js';
import { PrecomputedEncoder } from './precomputed.js';
import type { NormalizationPreset } from './spectrogram.js';
import { readStandardization } from './standardization.js';
import {
  INPUT_LAYOUTS,
  type InputLayout,
  OUTPUT_POOLINGS,
  type OutputPooling,
  TfjsModelEncoder,
} from './tfjs-model.js';
import type { ExternalEncoder } from './types.js';

/** Front-end settings of a spectrogram model in a spec: `frames=N`, `norm=<preset>|none`. */
interface SpecFrontend {
  targetLength?: number;
  normalize?: NormalizationPreset | null;
}

/** A parsed `--encoder` value (see `ENCODER_SPEC_GRAMMAR`). */
export type EncoderSpec =
  | { kind: 'descriptors'; standardization?: string }
  | { kind: 'npy'; manifest: string }
  | { kind: 'packed'; dir: string }
  | ({ kind: 'tfjs'; model: string; pool?: OutputPooling; layout?: InputLayout } & SpecFrontend)
  | ({
      kind: 'cat';
      weights: string;
      model: ModelName;
      pool?: TokenPooling;
      use?: 'student' | 'teacher';
    } & SpecFrontend);

/** The `--encoder` grammar, for help texts. Paths must not contain `?`. */
export const ENCODER_SPEC_GRAMMAR = [
  'descriptors[?stats=FILE.json]   spectral descriptors (46 values, no download); stats: standardise with saved statistics',
  'npy:MANIFEST.json               precomputed .npy vectors listed in a reference JSON manifest',
  'packed:DIR                      a packed store (DIR/features.npy + DIR/ids.json)',
  'tfjs:MODEL.json[?pool=mean-time|cls|none][&layout=btf|btf1][&frames=N][&norm=PRESET|none]',
  '                                a frozen tfjs LayersModel or GraphModel on the reference fbank',
  'cat:WEIGHTS.safetensors?model=NAME[&pool=cls|mean][&use=student|teacher][&frames=N][&norm=PRESET|none]',
  '                                a frozen CAT/EAT encoder (NAME: a model preset; use=teacher: the EMA teacher)',
  `frames: fbank frames per clip (default 1024); norm: ${Object.keys(NORMALIZATION_PRESETS).join(', ')} or none (default audioset)`,
].join('\n');

function parseQuery(spec: string, query: string, allowed: string[]): Map<string, string> {
  const params = new Map<string, string>();
  if (query === '') return params;
  for (const part of query.split('&')) {
    const at = part.indexOf('=');
    const key = at < 0 ? part : part.slice(0, at);
    if (!allowed.includes(key)) {
      throw new Error(
        `encoder '${spec}': unknown option '${key}' (allowed: ${allowed.join(', ') || 'none'})`,
      );
    }
    if (at < 0 || at === part.length - 1) throw new Error(`encoder '${spec}': option '${key}' needs a value`);
    params.set(key, part.slice(at + 1));
  }
  return params;
}

function choice<T extends string>(
  spec: string,
  key: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) {
    throw new Error(`encoder '${spec}': ${key} must be one of ${choices.join(', ')}, got '${value}'`);
  }
  return value as T;
}

function frontend(spec: string, params: Map<string, string>): SpecFrontend {
  const out: SpecFrontend = {};
  const frames = params.get('frames');
  if (frames !== undefined) {
    const n = Number(frames);
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`encoder '${spec}': frames must be a positive integer, got '${frames}'`);
    out.targetLength = n;
  }
  const norm = params.get('norm');
  if (norm !== undefined) {
    const presets = Object.keys(NORMALIZATION_PRESETS) as NormalizationPreset[];
    out.normalize = norm === 'none' ? null : choice(spec, 'norm', norm, presets);
  }
  return out;
}

/** Parses an `--encoder` value; throws a message quoting the spec for anything malformed. */
export function parseEncoderSpec(spec: string): EncoderSpec {
  const colon = spec.indexOf(':');
  const question = spec.indexOf('?');
  const kindEnd = [colon, question, spec.length].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b));
  const kind = spec.slice(0, kindEnd);
  const rest = spec.slice(kindEnd);
  const split = (text: string) => {
    const at = text.indexOf('?');
    return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
  };
  const target = (text: string) => {
    if (!text.startsWith(':') || text.length === 1)
      throw new Error(`encoder '${spec}': expected ${kind}:PATH`);
    return text.slice(1);
  };
  switch (kind) {
    case 'descriptors': {
      if (rest !== '' && !rest.startsWith('?'))
        throw new Error(`encoder '${spec}': 'descriptors' takes no path`);
      const params = parseQuery(spec, rest.slice(1), ['stats']);
      const stats = params.get('stats');
      return stats === undefined ? { kind } : { kind, standardization: stats };
    }
    case 'npy':
    case 'packed': {
      const [path, query] = split(target(rest));
      parseQuery(spec, query, []);
      return kind === 'npy' ? { kind, manifest: path } : { kind, dir: path };
    }
    case 'tfjs': {
      const [model, query] = split(target(rest));
      const params = parseQuery(spec, query, ['pool', 'layout', 'frames', 'norm']);
      return {
        kind,
        model,
        ...definedOnly({
          pool: choice(spec, 'pool', params.get('pool'), OUTPUT_POOLINGS),
          layout: choice(spec, 'layout', params.get('layout'), INPUT_LAYOUTS),
        }),
        ...frontend(spec, params),
      };
    }
    case 'cat': {
      const [weights, query] = split(target(rest));
      const params = parseQuery(spec, query, ['model', 'pool', 'use', 'frames', 'norm']);
      const model = choice(spec, 'model', params.get('model'), MODEL_NAMES);
      if (!model)
        throw new Error(`encoder '${spec}': a cat encoder needs ?model=NAME (${MODEL_NAMES.join(', ')})`);
      return {
        kind,
        weights,
        model,
        ...definedOnly({
          pool: choice(spec, 'pool', params.get('pool'), TOKEN_POOLINGS),
          use: choice(spec, 'use', params.get('use'), ['student', 'teacher'] as const),
        }),
        ...frontend(spec, params),
      };
    }
    default:
      throw new Error(`encoder '${spec}': unknown kind '${kind}'; expected one of:\n${ENCODER_SPEC_GRAMMAR}`);
  }
}

function definedOnly<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface OpenEncoderOptions {
  /** Prepares this tfjs backend before loading a model (tfjs and cat encoders); the active one when absent. */
  backend?: BackendRequest;
}

/** Builds the encoder a spec names, loading its files. */
export async function openExternalEncoder(
  spec: string | EncoderSpec,
  options: OpenEncoderOptions = {},
): Promise<ExternalEncoder> {
  const parsed = typeof spec === 'string' ? parseEncoderSpec(spec) : spec;
  switch (parsed.kind) {
    case 'descriptors':
      return new SpectralDescriptorEncoder(
        parsed.standardization ? { standardization: await readStandardization(parsed.standardization) } : {},
      );
    case 'npy':
      return new PrecomputedEncoder(await NpyFeatureStore.open(parsed.manifest), `npy:${parsed.manifest}`);
    case 'packed':
      return new PrecomputedEncoder(await PackedFeatureStore.open(parsed.dir), `packed:${parsed.dir}`);
    case 'tfjs': {
      if (options.backend) await prepareBackend({ backend: options.backend });
      const { model, kind: _, ...rest } = parsed;
      return TfjsModelEncoder.load(model, rest);
    }
    case 'cat': {
      if (options.backend) await prepareBackend({ backend: options.backend });
      const { weights, kind: _, ...rest } = parsed;
      return FrozenCatEncoder.load(weights, rest);
    }
  }
}
