// Worker-thread entry of FbankLoader (built to dist/worker.js next to dist/node.js): processes the clip
// jobs it is sent with the options it was started with, and posts each result back with its id.
import { parentPort, workerData } from 'node:worker_threads';
import { type ClipJob, type ClipProcessOptions, processClip } from './clip-source.js';

const port = parentPort;
if (port === null) throw new Error('@cat/data worker.js must run in a worker thread');
const options = workerData as ClipProcessOptions;

port.on('message', async ({ id, job }: { id: number; job: ClipJob }) => {
  const result = await processClip(job, options);
  port.postMessage({ id, result }, result.ok ? [result.data.buffer as ArrayBuffer] : []);
});
