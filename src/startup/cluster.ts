/**
 * `serve --workers N`: a primary process that keeps N server processes on one port
 * (node:cluster shares the listening socket), each loading the compiled index itself.
 *
 *   SIGHUP            replace the workers one by one: a new one is listening before an
 *                     old one is asked to drain, so the port never stops answering
 *   SIGTERM / SIGINT  every worker drains its in-flight requests and exits; then the primary
 *   a worker dies     a replacement is started (a worker that dies before it ever listened
 *                     stops everything: the next one would die the same way)
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../core/catalog';

/** Forks one worker; resolves once it listens, rejects if it exits first. */
function forkListening(): Promise<Worker> {
  const worker = cluster.fork();
  return new Promise((resolve, reject) => {
    const early = (code: number | null, signal: string | null) => reject(new Error(`worker ${worker.process.pid} exited (${signal ?? code}) before listening`));
    worker.once('exit', early);
    worker.once('listening', () => {
      worker.off('exit', early);
      resolve(worker);
    });
  });
}

export async function runPrimary(count: number, log: Logger): Promise<void> {
  /** Workers that serve; a worker leaves this set before it is asked to stop. */
  const serving = new Set<Worker>();
  let stopping = false;
  let reloading = false;

  const adopt = (worker: Worker) => {
    serving.add(worker);
    worker.once('exit', (code, signal) => {
      if (!serving.delete(worker) || stopping) return;
      log('error', `worker ${worker.process.pid} died (${signal ?? code}); starting a replacement`);
      forkListening().then(adopt, (e: Error) => stop('a replacement worker failed', e));
    });
  };

  const drain = (worker: Worker) =>
    new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      worker.once('exit', () => resolve());
      worker.process.kill('SIGTERM');
    });

  const stop = (reason: string, error?: Error) => {
    if (stopping) return;
    stopping = true;
    log(error ? 'error' : 'info', `${reason}${error ? `: ${error.message}` : ''}: stopping ${serving.size} worker(s)`);
    const all = [...Object.values(cluster.workers ?? {})].filter((w): w is Worker => w !== undefined);
    serving.clear();
    void Promise.all(all.map(drain)).then(() => process.exit(error ? 1 : 0));
  };

  const reload = async () => {
    if (reloading || stopping) return;
    reloading = true;
    log('info', `SIGHUP: replacing ${serving.size} worker(s) one by one`);
    try {
      for (const old of [...serving]) {
        adopt(await forkListening());
        serving.delete(old);
        await drain(old);
      }
      log('info', 'reload done');
    } catch (e) {
      log('error', `reload stopped, the old workers keep serving: ${(e as Error).message}`);
    } finally {
      reloading = false;
    }
  };

  process.on('SIGHUP', () => void reload());
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    await Promise.all(Array.from({ length: count }, () => forkListening().then(adopt)));
    log('info', `${count} workers listening`);
  } catch (e) {
    stop('a worker failed to start', e as Error);
  }
}
