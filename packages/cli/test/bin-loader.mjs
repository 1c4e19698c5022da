// Node module hooks for bin.test.ts: run src/bin.ts in a child process without a build. TypeScript sources are
// transpiled on load, and bin.ts's `./main.js` is replaced by bin-fake-main.mjs, whose behaviour the test picks.
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

export async function resolve(specifier, context, nextResolve) {
  if (specifier === './main.js' && context.parentURL?.endsWith('/src/bin.ts')) {
    return { url: new URL('./bin-fake-main.mjs', import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const { outputText } = ts.transpileModule(await readFile(new URL(url), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
