// @ts-check
/**
 * A Jest reporter that lists the slowest test files at the end of a run (wall time of each
 * file in its worker), so the suite's cost is visible in every run: `npm test` and CI alike.
 * Plain JavaScript: Jest loads reporters without transforming them.
 */
class SlowestFilesReporter {
  /** @param {unknown} _globalConfig @param {{ count?: number }} [options] */
  constructor(_globalConfig, options = {}) {
    this.count = options.count ?? 10;
  }

  /**
   * @param {unknown} _contexts
   * @param {{ testResults: Array<{ testFilePath: string, perfStats: { start: number, end: number }, numFailingTests: number }>, startTime: number }} results
   */
  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((file) => ({ path: file.testFilePath, seconds: (file.perfStats.end - file.perfStats.start) / 1_000, failed: file.numFailingTests > 0 }))
      .sort((a, b) => b.seconds - a.seconds);
    if (files.length === 0) return;
    const total = files.reduce((sum, file) => sum + file.seconds, 0);
    const wall = (Date.now() - results.startTime) / 1_000;
    const root = process.cwd() + '/';
    const lines = files.slice(0, this.count).map((file) => `  ${file.seconds.toFixed(1).padStart(6)} s  ${file.path.replace(root, '')}${file.failed ? '  (failed)' : ''}`);
    process.stderr.write(
      `\nSlowest test files (${files.length} files, ${total.toFixed(1)} s in workers, ${wall.toFixed(1)} s wall):\n${lines.join('\n')}\n`,
    );
  }
}

module.exports = SlowestFilesReporter;
