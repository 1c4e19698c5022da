// Types of serve.mjs (plain JavaScript so that `pnpm serve` runs it with node alone).
/** Serves `root` (default dist/) on `host:port` (port 0: any free port), cross-origin isolated unless `isolate` is false. */
export declare function startServer(options?: {
  root?: string;
  port?: number;
  host?: string;
  isolate?: boolean;
}): Promise<{ url: string; close: () => Promise<void> }>;
