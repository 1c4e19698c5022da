import { writeFileAtomic } from '@cat/frontend/node';

/**
 * Atomic file writes kept in flight while the caller goes on rendering: each write waits for its own fsync,
 * and overlapping a few of them hides that latency. The first failure is thrown by the next `write` or `flush`.
 */
export class WriteQueue {
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly limit = 8) {}

  async write(path: string, bytes: Uint8Array): Promise<void> {
    this.throwFailure();
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    const done: Promise<void> = writeFileAtomic(path, bytes)
      .then(() => undefined)
      .catch((error) => {
        this.failure ??= error;
      })
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  async flush(): Promise<void> {
    await Promise.all(this.pending);
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
