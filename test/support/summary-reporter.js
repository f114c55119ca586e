/** Prints one plain closing line, "Tests: N passed, N failed", that CI reads whatever the runner. */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const extra = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\nTests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${extra}\n`);
  }
}
module.exports = SummaryReporter;
