// Preloaded into every measured command (NODE_OPTIONS=--require): at exit, append this process's
// peak resident set size and CPU time to the file the runner names. resourceUsage().maxRSS is the
// kernel's own high-water mark (getrusage ru_maxrss, in KiB), so no sampling can miss a peak.
const { appendFileSync } = require('node:fs');

const target = process.env.SHUTDOWN_LINT_BENCH_USAGE;
if (target) {
  process.once('exit', () => {
    const usage = process.resourceUsage();
    appendFileSync(
      target,
      `${JSON.stringify({ pid: process.pid, maxRssKiB: usage.maxRSS, userUs: usage.userCPUTime, systemUs: usage.systemCPUTime })}\n`,
    );
  });
}
