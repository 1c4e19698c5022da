import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/**
 * The environment for child processes: the caller's, minus what `pnpm run` and vitest add for their own
 * children (package and lifecycle variables, pnpm's settings, NODE_OPTIONS), so that npm and node in the temp
 * projects behave as they would for a user. npm's own settings (registry, cache, proxies) are kept.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_package_|npm_lifecycle_|pnpm_|PNPM_|VITEST|TURBO_)/.test(key)) continue;
    if (/^(npm_config_user_agent|npm_execpath|npm_node_execpath|INIT_CWD|NODE_OPTIONS|NODE_ENV)$/.test(key))
      continue;
    env[key] = value;
  }
  return env;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command; on failure the error names the command and directory and ends with its output. */
export function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((done, fail) => {
    execFile(
      command,
      args,
      { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return done({ stdout, stderr });
        const why = error.killed
          ? `timed out after ${timeoutMs / 1000} s`
          : `failed (${error.message.split('\n')[0]})`;
        const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-40).join('\n');
        fail(new Error(`${command} ${args.join(' ')} in ${cwd} ${why}:\n${output}`));
      },
    );
  });
}

/** The flags of every install: no audit or funding requests, the npm cache first, no install scripts. */
export const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'];

/**
 * Fails with a clear message when the npm registry cannot be reached: the installs below resolve the packages'
 * third-party dependencies from it, so this test cannot run offline and must not pass by skipping.
 */
export async function requireRegistry(cwd: string): Promise<string> {
  const registry = (await run('npm', ['config', 'get', 'registry'], cwd)).stdout.trim();
  try {
    await run('npm', ['ping', '--registry', registry], cwd, 30_000);
  } catch (error) {
    throw new Error(
      `the npm registry ${registry} cannot be reached, and this test installs the packed @cat packages ` +
        `with their dependencies from it (npm registry access is required; nothing was skipped).\n` +
        `${(error as Error).message}`,
    );
  }
  return registry;
}

/**
 * Fails when `dir` could resolve packages from outside itself: Node walks up from a project to every parent
 * folder's node_modules, so an ancestor with one (or the workspace itself) would hide missing dependencies.
 */
export function requireIsolated(dir: string): void {
  if (`${dir}/`.startsWith(`${REPO}/`)) throw new Error(`${dir} is inside the workspace ${REPO}`);
  const { root } = parse(dir);
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    if (existsSync(join(parent, 'node_modules')))
      throw new Error(`${join(parent, 'node_modules')} exists above the temp project ${dir}`);
    if (parent === root) break;
  }
}

/** The tsc of the workspace's TypeScript, run against a temp project's own node_modules. */
export function tscPath(): string {
  return createRequire(import.meta.url).resolve('typescript/bin/tsc');
}

/**
 * Type-checks a temp project with `tsc -p config`. Declarations are checked too (no skipLibCheck), so the
 * packages' .d.ts/.d.cts files must be valid for the consumer; the only errors tolerated are those tfjs 4.22's
 * own declarations always report without skipLibCheck (files under node_modules/@tensorflow/). Returns them.
 */
export async function typeCheck(dir: string, config: string): Promise<string[]> {
  let output: string;
  try {
    await run(process.execPath, [tscPath(), '-p', config, '--pretty', 'false'], dir);
    return [];
  } catch (error) {
    output = (error as Error).message;
  }
  const errors = output.split('\n').filter((line) => /\(\d+,\d+\): error TS\d+/.test(line));
  const ours = errors.filter((line) => !line.startsWith('node_modules/@tensorflow/'));
  if (errors.length === 0 || ours.length > 0) throw new Error(`tsc -p ${config} in ${dir}:\n${output}`);
  return errors;
}
