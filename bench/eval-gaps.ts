/**
 * What is in the long event-loop turns of one large upload (issue 11's responsiveness):
 *
 *   npx ts-node --transpile-only bench/eval-gaps.ts --data-root /work/fullscale --cache-dir /tmp/eval-bench-cache [--runs 5] [--over 25]
 *   node --expose-gc -r ts-node/register/transpile-only bench/eval-gaps.ts …   # also the heap kept after each run
 *
 * POSTs 200,000 train boxes (as bench/eval.ts's responsiveness section does) `--runs`
 * times and prints every gap between event-loop turns longer than `--over` ms, with the
 * evaluation step that was running when it began (the stage its generator last yielded)
 * the main thread's CPU time in it (what the server spent, against time waiting for a CPU
 * on a shared machine), and the garbage collections inside it. A profiling aid: it wraps the step runner.
 */
import { readFileSync } from 'node:fs';
import { PerformanceObserver, performance, type PerformanceEntry } from 'node:perf_hooks';
import { loadCatalog } from '../src/core/catalog';
import { GroundTruth } from '../src/eval/ground-truth';
import * as steps from '../src/eval/steps';
import { createYogaApp } from '../src/server';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** What the server is doing now, as the last stage a step yielded ("reading" before the evaluation, "writing" after it). */
let stage = 'idle';

// The route calls the module's export at run time (CommonJS), so wrapping it here sees
// every step of the evaluation. Profiling only: nothing in src/ knows of it.
const runStepsYielding = steps.runStepsYielding;
(steps as { runStepsYielding: typeof runStepsYielding }).runStepsYielding = async function traced<T>(inner: steps.Steps<T>, onProgress?: (p: steps.Progress) => void): Promise<T> {
  function* named(): steps.Steps<T> {
    for (;;) {
      const r = inner.next();
      if (r.done) {
        stage = 'writing the response';
        return r.value;
      }
      stage = r.value.stage;
      yield r.value;
    }
  }
  return runStepsYielding(named(), onProgress);
};

interface Gap {
  start: number;
  end: number;
  stage: string;
  /** The main thread's time on a CPU and waiting for one (run queue) during the gap, ms. */
  cpu: number;
  waiting: number;
}

/** The main thread's [on-CPU, waiting-for-a-CPU] times so far, ms (Linux schedstat). */
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
function schedMs(): [number, number] {
  const [run, wait] = readFileSync(SCHEDSTAT, 'latin1').split(' ');
  return [Number(run) / 1e6, Number(wait) / 1e6];
}

async function main(): Promise<void> {
  const dataRoot = arg('data-root', 'bench/data/full');
  const cacheDir = arg('cache-dir', '/tmp/eval-bench-cache');
  const runs = Number(arg('runs', '5'));
  const over = Number(arg('over', '25'));
  const catalog = loadCatalog({ dataRoot, datasets: ['refcoco/unc'], cacheDir });
  const gt = new GroundTruth(catalog.get('refcoco', 'unc'));
  const yoga = createYogaApp(catalog, { log: false });
  const train = gt.universe('train').sentRows;
  const body = new TextEncoder().encode(
    JSON.stringify(Array.from({ length: 200_000 }, (_, i) => {
      const s = train[i % train.length];
      const b = gt.refBox(gt.refRowOfSentence(s));
      return { sent_id: gt.idOfRow('sent', s), box: [b[0] + (i % 7) - 3, b[1] + (i % 5) - 2, b[2] * 1.05, b[3] * 0.95] };
    })),
  );
  const gcs: PerformanceEntry[] = [];
  new PerformanceObserver((list) => gcs.push(...list.getEntries())).observe({ entryTypes: ['gc'] });
  for (let r = 0; r < runs; r++) {
    gcs.length = 0;
    const gaps: Gap[] = [];
    let last = performance.now();
    let lastSched = schedMs();
    let lastStage = stage;
    let running = true;
    const tick = () => {
      const now = performance.now();
      const sched = schedMs();
      if (now - last > over) gaps.push({ start: last, end: now, stage: lastStage, cpu: sched[0] - lastSched[0], waiting: sched[1] - lastSched[1] });
      last = now;
      lastSched = sched;
      lastStage = stage;
      if (running) setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
    stage = 'reading the body';
    const t0 = performance.now();
    const response = await yoga.fetch('http://localhost/evaluate?dataset=refcoco&splitBy=unc&split=train&task=boxes', { method: 'POST', body: inChunks(body), duplex: 'half' } as RequestInit);
    await response.arrayBuffer();
    running = false;
    stage = 'idle';
    await new Promise((resolve) => setTimeout(resolve, 50)); // the GC observer reports asynchronously
    // With --expose-gc: the heap left after a full GC, the stored reports included (the app keeps every report within its bound).
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const memory = process.memoryUsage();
    const kept = gc ? `, after a full GC: JS heap ${(memory.heapUsed / 1e6).toFixed(1)} MB, array buffers ${(memory.arrayBuffers / 1e6).toFixed(1)} MB` : '';
    console.log(`run ${r + 1}: ${(performance.now() - t0 - 50).toFixed(0)} ms, ${gaps.length} gaps over ${over} ms${kept}`);
    for (const g of gaps) {
      const inside = gcs.filter((e) => e.startTime < g.end && e.startTime + e.duration > g.start);
      const gc = inside.map((e) => `${gcKind(e)} ${e.duration.toFixed(1)} ms`).join(', ');
      console.log(`  ${(g.end - g.start).toFixed(1)} ms (main thread on CPU ${g.cpu.toFixed(1)}, waiting ${g.waiting.toFixed(1)}) at +${(g.start - t0).toFixed(0)} ms during "${g.stage}"${gc ? `; GC: ${gc}` : ''}`);
    }
  }
}

function gcKind(e: PerformanceEntry): string {
  const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
  return { 1: 'scavenge', 2: 'mark-compact', 4: 'incremental marking', 8: 'weak callbacks' }[kind ?? 0] ?? `kind ${kind}`;
}

/** A body as a socket delivers it: 64 kB chunks. */
function inChunks(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close();
      else controller.enqueue(bytes.subarray(at, (at += 64 * 1024)));
    },
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
