/** Shared by the benchmarks that spawn `refer-graphql serve`: a free port and a scratch cache. */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledIndexDir } from '../src/core/catalog';

/** A port nothing listens on now (other servers may share this machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A scratch cache dir holding copies of the pair's compiled indexes from
 * <dataRoot>/.refer-cache: the server reads (or rebuilds) them there, so the data root is
 * never written. The caller removes it.
 */
export function scratchCache(dataRoot: string, pair: string): string {
  const [dataset, splitBy] = pair.split('/');
  const dir = mkdtempSync(join(tmpdir(), 'refer-bench-serve-'));
  // Where `--cache-dir dir` looks for this data root's indexes (a subfolder per data root).
  const indexDir = compiledIndexDir(dataRoot, dir)!;
  mkdirSync(indexDir);
  for (const file of [`${dataset}.instances.idx`, `${dataset}_${splitBy}.refs.idx`]) {
    const cached = join(dataRoot, '.refer-cache', file);
    if (existsSync(cached)) copyFileSync(cached, join(indexDir, file));
  }
  return dir;
}
