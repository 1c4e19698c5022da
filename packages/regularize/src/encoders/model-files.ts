import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { io } from '@tensorflow/tfjs-core';

async function readJson(path: string): Promise<io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`${path}: cannot read the model: ${(error as Error).message}`);
  }
  let json: io.ModelJSON;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not a tfjs model.json: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || json.modelTopology == null) {
    throw new Error(`${path}: not a tfjs model.json (no modelTopology)`);
  }
  return json;
}

/** Every weight shard of the manifest, in manifest order, read relative to the model.json's folder. */
async function readShards(modelPath: string, manifest: io.WeightsManifestConfig): Promise<ArrayBuffer[]> {
  const shards: ArrayBuffer[] = [];
  for (const group of manifest) {
    for (const shard of group.paths) {
      const path = resolve(dirname(modelPath), shard);
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        throw new Error(`${modelPath}: cannot read weight file ${path}: ${(error as Error).message}`);
      }
      shards.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  return shards;
}

/**
 * A tfjs load handler for `model.json` and its weight shards on the local disk, so LayersModels and GraphModels
 * load in Node without tfjs-node (whose `file://` handler this replaces).
 */
export function modelFileHandler(
  modelPath: string,
): io.IOHandler & { readModelJson(): Promise<io.ModelJSON> } {
  let json: Promise<io.ModelJSON> | undefined;
  const readModelJson = () => {
    json ??= readJson(modelPath);
    return json;
  };
  return {
    readModelJson,
    async load() {
      const model = await readModelJson();
      return io.getModelArtifactsForJSON(model, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        return [specs, await readShards(modelPath, manifest)];
      });
    },
  };
}
