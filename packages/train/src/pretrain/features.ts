import type { ClipEntry } from '@cat/data';
import type { FeatureStore } from '@cat/regularize';
import {
  NpyFeatureStore,
  openExternalEncoder,
  PackedFeatureStore,
  precomputeFeatures,
} from '@cat/regularize/node';

/**
 * The external features for Representation Regularization: an existing store (`npy:<manifest.json>`,
 * `packed:<dir>`) as it is, or any other encoder spec computed once for the training clips into `dir`
 * (resumable; reused by later runs and resumes).
 */
export async function externalFeatureStore(
  spec: string,
  entries: ClipEntry[],
  dir: string,
  log: (line: string) => void,
): Promise<FeatureStore> {
  if (spec.startsWith('npy:')) return NpyFeatureStore.open(spec.slice(4));
  if (spec.startsWith('packed:')) return PackedFeatureStore.open(spec.slice(7));
  const encoder = await openExternalEncoder(spec);
  log(
    `regularization: ${encoder.name} features (${encoder.dimension} values) for ${entries.length} clips in ${dir}`,
  );
  try {
    const result = await precomputeFeatures({ encoder, entries, out: dir, packed: true });
    if (result.skipped.length > 0)
      log(`regularization: ${result.skipped.length} clip(s) could not be embedded`);
  } finally {
    encoder.dispose?.();
  }
  return PackedFeatureStore.open(dir);
}
