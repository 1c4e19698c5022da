// A data-parallel pre-training replica (see `ReplicatedStepRunner`): its own backend and model, fed parts of
// batches by the main thread, answering with gradients and applying the averaged ones it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareBackend } from '@cat/layers';
import * as tf from '@tensorflow/tfjs-core';
import { buildPretrainingModel, pretrainingOptimizer, pretrainingParameters } from './pretrain/model.js';
import {
  type ReplicaGradients,
  type ReplicaMessage,
  type ReplicaRequest,
  type ReplicaWorkerData,
  replicatedVariables,
  transferableValues,
} from './pretrain/replica-protocol.js';
import { applyPretrainingUpdate } from './pretrain/step.js';
import { hostBatchGradients } from './pretrain/step-runner.js';

if (!parentPort) throw new Error('replica-worker: must run in a worker thread');
const port = parentPort;
const data = workerData as ReplicaWorkerData;

const post = (message: ReplicaMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function start() {
  await prepareBackend({ backend: data.backend, log: () => {} });
  const model = buildPretrainingModel(data.recipe, data.targetDim);
  const params = pretrainingParameters(model);
  const optimizer = pretrainingOptimizer(data.recipe, params);
  const variables = params.map((p) => p.variable);
  const replicated = replicatedVariables(model);

  // Requests are handled synchronously, one at a time, in the order they were sent.
  const handle = async (request: ReplicaRequest): Promise<{ result?: unknown; transfer?: ArrayBuffer[] }> => {
    switch (request.kind) {
      case 'sync': {
        if (request.values.length !== replicated.length)
          throw new Error(`sync: ${request.values.length} tensors for ${replicated.length} variables`);
        replicated.forEach((variable, i) => {
          const size = tf.util.sizeFromShape(variable.shape);
          if (request.values[i].length !== size)
            throw new Error(`sync: ${variable.name} has ${size} values, got ${request.values[i].length}`);
          tf.tidy(() => variable.assign(tf.tensor(request.values[i], variable.shape)));
        });
        optimizer.importState(request.optimizer);
        return {};
      }
      case 'gradients': {
        const { values, cls, grads } = hostBatchGradients(model, variables, request.batch, request.step, {
          masks: request.masks,
          noiseStream: request.noiseStream,
        });
        const result: ReplicaGradients = {
          values,
          cls: transferableValues(cls),
          grads: variables.map((v) => {
            const grad = grads[v.name];
            if (!grad) throw new Error(`no gradient for ${v.name}`);
            return transferableValues(grad);
          }),
        };
        tf.dispose([cls, ...Object.values(grads)]);
        return {
          result,
          transfer: [result.cls.buffer, ...result.grads.map((g) => g.buffer)] as ArrayBuffer[],
        };
      }
      case 'update': {
        const grads: tf.NamedTensorMap = {};
        variables.forEach((v, i) => {
          grads[v.name] = tf.tensor(request.grads[i], v.shape);
        });
        applyPretrainingUpdate(model, optimizer, grads, request.inputs).norm?.dispose();
        return {};
      }
      case 'weights':
        return { result: replicated.map((v) => v.dataSync() as Float32Array) };
    }
  };

  let queue = Promise.resolve();
  port.on('message', ({ id, request }: { id: number; request: ReplicaRequest }) => {
    queue = queue.then(async () => {
      try {
        const { result, transfer } = await handle(request);
        post({ kind: 'reply', id, result: result as ReplicaGradients }, transfer);
      } catch (error) {
        post({ kind: 'error', id, message: (error as Error).message });
      }
    });
  });
  post({ kind: 'ready' });
}

start().catch((error: Error) => post({ kind: 'error', id: null, message: error.stack ?? error.message }));
