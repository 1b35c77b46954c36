// A jest reporter: one line per group of interop tests skipped because its peer is missing, at the
// end of the default output. test/peers/availability.ts prints the notice with console.warn, but
// jest shows the console output of a test file only when some test in it ran (or with --verbose).
const PREFIX = 'NOTICE: skipping interop tests with '; // test/peers/availability.ts: SKIP_NOTICE

class PeerNoticeReporter {
  constructor() {
    this.notices = new Set();
  }

  onTestFileResult(_test, result) {
    for (const entry of result.console ?? []) {
      if (typeof entry.message === 'string' && entry.message.startsWith(PREFIX)) this.notices.add(entry.message);
    }
  }

  onRunComplete() {
    if (this.notices.size === 0) return;
    process.stderr.write(`\n${[...this.notices].join('\n')}\n\n`);
  }

  getLastError() {
    return undefined;
  }
}

module.exports = PeerNoticeReporter;
