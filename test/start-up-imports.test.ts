/**
 * What a server start loads (issue 8 §2): the modules that src/server.ts reaches through
 * static imports are evaluated by every start, so the code a first query never needs
 * (evaluation, statistics, export bodies) must be reached only through a lazy require.
 * Read from esbuild's metafile of the CLI, as scripts/bundle.js bundles it.
 */
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

const ROOT = join(__dirname, '..');

/** The package's own modules that `from` reaches through static imports (require() calls excluded). */
function staticallyReached(metafile: Metafile, from: string): Set<string> {
  const reached = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (reached.has(path)) continue;
    reached.add(path);
    for (const imported of metafile.inputs[path].imports) {
      if (imported.kind === 'import-statement' && !imported.external && metafile.inputs[imported.path]) pending.push(imported.path);
    }
  }
  return new Set([...reached].filter((path) => !path.includes('node_modules')));
}

let metafile: Metafile;
beforeAll(async () => {
  const result = await build({
    entryPoints: [join(ROOT, 'src/cli.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    outfile: join(ROOT, 'dist/start-up-imports-test.js'),
    external: ['@graphql-yoga/render-graphiql', 'msgpackr-extract'],
    metafile: true,
    logLevel: 'error',
  });
  metafile = result.metafile;
}, 120_000);

const LAZY = [
  'src/eval/evaluate.ts',
  'src/eval/report-view.ts',
  'src/eval/box-comparison.ts',
  'src/eval/json-array-stream.ts',
  'src/eval/report-json.ts',
  'src/eval/expressions.ts',
  'src/eval/gres.ts',
  'src/core/query/statistics.ts',
  'src/core/export/data-body.ts',
  'src/core/export/data-body-file.ts',
];

test.each(LAZY)('a server start does not load %s', (path) => {
  const atStart = staticallyReached(metafile, 'src/server.ts');
  expect(atStart.has('schema/index.ts')).toBe(true); // the walk does reach the schema
  expect(atStart.has(path)).toBe(false);
  expect(metafile.inputs[path]).toBeDefined(); // still bundled, for the first use
});

test('the CLI does not load the export bodies before a command needs them', () => {
  expect(staticallyReached(metafile, 'src/cli.ts').has('src/core/export/data-body-file.ts')).toBe(false);
});
