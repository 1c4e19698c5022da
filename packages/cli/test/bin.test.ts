import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = join(__dirname, '..', 'src', 'bin.ts');
const register =
  "data:text/javascript,import{register}from'node:module';" +
  `register(${JSON.stringify(pathToFileURL(join(__dirname, 'bin-loader.mjs')).href)});`;

/** Runs the real bin.ts in a child Node, with bin-fake-main.mjs in place of main.ts behaving as `mode` says. */
function runBin(mode: string, args: string[] = []) {
  const child = spawnSync(process.execPath, ['--import', register, bin, ...args], {
    env: { ...process.env, FAKE_MAIN: mode },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const ABORTED =
  'cat-audio: stopped before finishing (the wasm backend aborted: out of memory? try fewer clips per pass ' +
  'or a shorter --target-length)\n';

describe('the cat-audio executable', () => {
  it("exits with the command's status, passing it the arguments", () => {
    expect(runBin('status', ['0', 'embed'])).toEqual({ status: 0, stdout: 'argv: 0 embed\n', stderr: '' });
    expect(runBin('status', ['2'])).toMatchObject({ status: 2, stderr: '' });
  });

  it('exits with status 1 and the message when the command rejects', () => {
    expect(runBin('reject')).toMatchObject({ status: 1, stderr: 'cat-audio: out of luck\n' });
  });

  it('never exits with status 0 before the command has finished (how a wasm abort ends)', () => {
    expect(runBin('pending')).toMatchObject({ status: 1, stderr: ABORTED });
    expect(runBin('exit-0')).toMatchObject({ status: 1, stderr: ABORTED });
  });

  it("keeps Node's own failure status for an uncaught exception", () => {
    const result = runBin('throw-later');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('thrown outside the command');
    expect(result.stderr).not.toContain('stopped before finishing');
  });
});
