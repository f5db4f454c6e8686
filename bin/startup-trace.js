// REFER_GRAPHQL_STARTUP_TRACE=1: where a start's CPU goes, for bench/startup.ts --steps.
// Prints `startup-trace <step> <cpu ms> <wall ms>` to stderr at each step: the CPU (user +
// system) of this process so far, from process.cpuUsage, and the time since it started
// (process.uptime: performance.now would load perf_hooks). Steps: Node's own bootstrap (this file
// is the first of ours to run), the bundle loaded, then each server log line written
// (data loaded, listening, the first request answered).
const { cpuUsage } = process;

function mark(step) {
  const { user, system } = cpuUsage();
  process.stderr.write(`startup-trace ${step} ${((user + system) / 1000).toFixed(1)} ${(process.uptime() * 1000).toFixed(1)}\n`);
}

/** Marks every JSON log line with its message ("loaded …" → loaded). */
function traceLogLines() {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => {
    const result = write(chunk, ...rest);
    const msg = /"msg":"(\w+)/.exec(String(chunk))?.[1];
    if (msg) mark(msg);
    return result;
  };
}

module.exports = { mark, traceLogLines };
