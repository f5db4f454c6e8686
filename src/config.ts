/**
 * Where things are by default. Every default can be overridden by a CLI flag, and the
 * data root and cache dir also by an environment variable (handy in containers).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root: the nearest folder above this file with our package.json. */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** The bundled sample data root, `data/` in the package. */
export const SAMPLE_DATA_ROOT = join(packageRoot(), 'data');

export function defaultDataRoot(): string {
  return process.env.REFER_DATA_ROOT || SAMPLE_DATA_ROOT;
}

/** undefined means "the catalog's default" (beside the data, or the user cache dir). */
export function defaultCacheDirOption(): string | undefined {
  return process.env.REFER_CACHE_DIR || undefined;
}

/** "refcoco/unc, refclef/unc" → ["refcoco/unc", "refclef/unc"]. */
export function parseDatasetList(value: string | undefined): string[] | undefined {
  const names = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return names?.length ? names : undefined;
}

/** This package's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
