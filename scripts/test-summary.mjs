// Adds up the vitest JSON reports of every package into one closing line: "N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
let brokenFiles = 0;
for (const group of ['packages', 'examples']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const report = join(group, name, '.vitest-report.json');
    if (!existsSync(report)) continue;
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
    // A test file whose set-up throws fails as a suite, its tests counted as skipped.
    const broken = result.numFailedTestSuites ?? 0;
    brokenFiles += broken;
    console.log(
      `${name}: ${result.numPassedTests} passed, ${result.numFailedTests} failed${broken ? `, ${broken} test file(s) failed` : ''}`,
    );
  }
}
const files = brokenFiles ? `, ${brokenFiles} test file(s) failed` : '';
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped${files}`);
process.exitCode = failed > 0 || brokenFiles > 0 || passed === 0 ? 1 : 0;
