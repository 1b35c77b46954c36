// node scripts/jest-summary.mjs [LABEL=]FILE...: one line per jest run from its --json results, then
// the CI summary line `N passed, N failed` summed over the runs. A run whose results are missing or
// unreadable, a suite that failed to load, a run in which no test passed and a run jest reports as
// failed without a failed test each count as a failure.
import { readFileSync } from 'node:fs';

const runs = process.argv.slice(2).map((arg) => {
  const at = arg.lastIndexOf('=');
  return at > 0 ? { label: arg.slice(0, at), file: arg.slice(at + 1) } : { label: arg, file: arg };
});
if (runs.length === 0) runs.push({ label: 'jest', file: '.ci/jest-results.json' });

let passed = 0;
let failed = 0;
for (const { label, file } of runs) {
  let r;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`${label}: no results (${error.code ?? error.message}): counted as 1 failure`);
    failed += 1;
    continue;
  }
  const suites = r.testResults ?? [];
  // A suite that fails to load ran no test but is a failure.
  const brokenSuites = suites.filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  let runFailed = (r.numFailedTests ?? 0) + brokenSuites;
  const runPassed = r.numPassedTests ?? 0;
  let note = '';
  if (runPassed === 0) {
    note = ' (no test passed: counted as 1 failure)';
    runFailed += 1;
  } else if (r.success === false && runFailed === 0) {
    note = ' (jest reported the run as failed: counted as 1 failure)';
    runFailed = 1;
  }
  for (const s of suites.filter((s) => s.status === 'failed')) console.log(`${label}: failed suite ${s.name}`);
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${label}: ${runPassed} passed, ${runFailed} failed, ${skipped} skipped${note}`);
  passed += runPassed;
  failed += runFailed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
