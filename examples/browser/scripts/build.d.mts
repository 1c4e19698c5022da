// Types of build.mjs (plain JavaScript so that `pnpm build` runs it with node alone).
export declare const exampleDir: string;
export declare const distDir: string;
/** Builds dist/; returns the bundle sizes in bytes by file name. */
export declare function buildPage(options?: {
  minify?: boolean;
  log?: (line: string) => void;
}): Promise<Record<string, number>>;
