// Prints the CI summary line `N passed, N failed, N skipped` from jest's --json results.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.ci/jest-results.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// A suite that fails to load counts as a failure even though it ran no test.
const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
const failed = r.numFailedTests + brokenSuites;
for (const s of r.testResults.filter((s) => s.status === 'failed')) console.log(`failed suite: ${s.name}`);
console.log(`${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
process.exit(failed > 0 || r.numPassedTests === 0 ? 1 : 0);
