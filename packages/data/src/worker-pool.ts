import { Worker } from 'node:worker_threads';
import type { ClipJob, ClipProcessOptions, ClipResult } from './clip-source.js';

interface Pending {
  resolve: (result: ClipResult) => void;
  reject: (error: Error) => void;
  path: string;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Worker threads running `processClip`. Each job goes to the least busy worker. A worker that dies
 * (which a broken file cannot cause: those are results) fails its jobs with an error naming their files.
 */
export class ClipWorkerPool {
  private readonly workers: PoolWorker[];
  private nextId = 0;
  private closed = false;

  constructor(size: number, options: ClipProcessOptions, script: URL | string) {
    this.workers = Array.from({ length: size }, () => {
      const entry: PoolWorker = { worker: new Worker(script, { workerData: options }), pending: new Map() };
      entry.worker.on('message', ({ id, result }: { id: number; result: ClipResult }) => {
        const job = entry.pending.get(id);
        entry.pending.delete(id);
        if (entry.pending.size === 0) entry.worker.unref();
        job?.resolve(result);
      });
      const fail = (error: Error) => {
        for (const job of entry.pending.values())
          job.reject(new Error(`worker thread failed while processing ${job.path}: ${error.message}`));
        entry.pending.clear();
      };
      entry.worker.on('error', fail);
      entry.worker.on('exit', (code) => {
        if (!this.closed) fail(new Error(`exited with code ${code}`));
      });
      // Idle workers must not keep the process alive; busy ones must (see `run`).
      entry.worker.unref();
      return entry;
    });
  }

  run(job: ClipJob): Promise<ClipResult> {
    if (this.closed) return Promise.reject(new Error('ClipWorkerPool: closed'));
    let target = this.workers[0];
    for (const entry of this.workers) if (entry.pending.size < target.pending.size) target = entry;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject, path: job.path });
      target.worker.ref();
      target.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }
}
