/**
 * Saving and loading in tfjs's own layers-model format: `model.json` (topology, the weights manifest, the class
 * names) and `weights.bin`. The same two files load in a browser with `tf.loadLayersModel(url)` once
 * `@cat/layers` is imported (importing it registers the CAT block classes). In Node, without tfjs-node's `file://`
 * handler, tfjs's `withSaveHandler` / `fromMemory` carry the artifacts to and from the disk.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@cat/frontend/node';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** The tfjs weight buffer as one byte array (tfjs 4 may hand it over in several ArrayBuffers). */
function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  const bytes = new Uint8Array(buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    bytes.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return bytes;
}

/** Writes `dir/model.json` and `dir/weights.bin` (each atomically); `classes` are kept in the model's metadata. */
export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  classes: readonly string[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  model.setUserDefinedMetadata({ classes: [...classes] });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const bytes = weightBytes(artifacts.weightData);
      await writeFileAtomic(join(dir, WEIGHTS_BIN), bytes);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs }],
        userDefinedMetadata: artifacts.userDefinedMetadata,
      };
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** Loads what `saveModel` wrote; errors name the file and what is wrong with it. */
export async function loadModel(dir: string): Promise<{ model: tfl.LayersModel; classes: string[] }> {
  const jsonPath = join(dir, MODEL_JSON);
  let json: {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: { classes?: unknown };
  };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (error) {
    throw new Error(`${jsonPath}: cannot read the model (${(error as Error).message})`);
  }
  if (
    json.modelTopology === undefined ||
    !Array.isArray(json.weightsManifest) ||
    json.weightsManifest.length !== 1
  ) {
    throw new Error(
      `${jsonPath}: not a tfjs layers model with one weights file (modelTopology, weightsManifest)`,
    );
  }
  const [group] = json.weightsManifest;
  const binPath = join(dir, group.paths[0] ?? WEIGHTS_BIN);
  const bytes = await readFile(binPath).catch((error: Error) => {
    throw new Error(`${binPath}: cannot read the weights (${error.message})`);
  });
  const expected = group.weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes.byteLength !== expected) {
    throw new Error(`${binPath}: ${bytes.byteLength} bytes, but ${jsonPath} describes ${expected}`);
  }
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: group.weights,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      userDefinedMetadata: json.userDefinedMetadata,
    }),
  );
  const classes = json.userDefinedMetadata?.classes;
  if (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string')) {
    throw new Error(`${jsonPath}: userDefinedMetadata.classes must be a list of class names`);
  }
  return { model, classes: classes as string[] };
}
