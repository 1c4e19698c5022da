import * as tfl from '@tensorflow/tfjs-layers';

type LayerVariable = tfl.LayerVariable;
type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/**
 * How a weight is laid out relative to the reference (PyTorch) tensor of the same name:
 * - `linear`: ours [in, out], reference [out, in];
 * - `conv`: ours [kh, kw, in/groups, out], reference [out, in/groups, kh, kw];
 * - `depthwise`: ours [kh, kw, C, 1], reference [C, 1, kh, kw];
 * - `same`: identical element order (vectors, CLS token, position table; shapes may differ by unit axes).
 */
export type WeightLayout = 'linear' | 'conv' | 'depthwise' | 'same';

/** A weight of a block, named by its reference state_dict suffix (e.g. `attn.qkv.weight`). */
export interface NamedWeight {
  name: string;
  variable: LayerVariable;
  layout: WeightLayout;
}

/** Initialisers of the reference (§4 of the spec). */
export type WeightInit =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'normal'; stddev: number }
  | { kind: 'truncatedNormal'; stddev: number }
  | { kind: 'uniform'; bound: number };

export type AddWeight = (
  name: string,
  shape: number[],
  init: Initializer,
  trainable: boolean,
) => LayerVariable;

function toInitializer(init: WeightInit, seed: number | undefined): Initializer {
  switch (init.kind) {
    case 'zeros':
      return tfl.initializers.zeros();
    case 'ones':
      return tfl.initializers.ones();
    case 'normal':
      return tfl.initializers.randomNormal({ mean: 0, stddev: init.stddev, seed });
    case 'truncatedNormal':
      return tfl.initializers.truncatedNormal({ mean: 0, stddev: init.stddev, seed });
    case 'uniform':
      return tfl.initializers.randomUniform({ minval: -init.bound, maxval: init.bound, seed });
  }
}

/**
 * Creates the weights of one block under a name prefix, so composite blocks (the multi-resolution
 * block) can hold several sub-blocks whose weights keep their reference names.
 */
export class ParamScope {
  constructor(
    private readonly add: AddWeight,
    private readonly registry: NamedWeight[],
    private readonly seeds: { next: () => number | undefined },
    readonly prefix = '',
  ) {}

  child(name: string): ParamScope {
    return new ParamScope(this.add, this.registry, this.seeds, `${this.prefix}${name}.`);
  }

  weight(
    name: string,
    shape: number[],
    init: WeightInit,
    layout: WeightLayout,
    trainable = true,
  ): LayerVariable {
    const fullName = `${this.prefix}${name}`;
    const variable = this.add(fullName, shape, toInitializer(init, this.seeds.next()), trainable);
    this.registry.push({ name: fullName, variable, layout });
    return variable;
  }
}

/** PyTorch's default Linear/Conv init (kaiming-uniform a=√5 for weights, same bound for biases): ±1/√fanIn. */
export function torchDefaultBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}

/** Xavier-uniform on a kernel flattened to [out, fanIn] (the reference's patch-embedding init). */
export function xavierFlattenedBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}
