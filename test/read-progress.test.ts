import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { readInstances } from '../src/core/read/instances';
import { parseRefs } from '../src/core/read/refs';

const GOLDEN = join(__dirname, 'fixtures/golden/data');

/** The calls are strictly increasing, several, and the last is the file's size. */
function expectProgressThrough(calls: number[], size: number): void {
  expect(calls.length).toBeGreaterThan(3);
  for (let i = 1; i < calls.length; i++) expect(calls[i]).toBeGreaterThan(calls[i - 1]);
  expect(calls[0]).toBeGreaterThan(0);
  expect(calls[calls.length - 1]).toBe(size);
}

describe('progress within a file', () => {
  it('readInstances reports increasing byte counts that end at the file size, and reads the same tables', () => {
    const bytes = readFileSync(join(GOLDEN, 'refcoco/instances.json'));
    const calls: number[] = [];
    const tables = readInstances(bytes, 'refcoco/instances.json', (n) => calls.push(n));
    expectProgressThrough(calls, bytes.length);
    expect(tables).toEqual(readInstances(bytes, 'refcoco/instances.json'));
  });

  it('parseRefs (the pickle reader) does the same', () => {
    const bytes = readFileSync(join(GOLDEN, 'refcoco/refs(unc).p'));
    const calls: number[] = [];
    const refs = parseRefs(bytes, 'refcoco/refs(unc).p', (n) => calls.push(n));
    expectProgressThrough(calls, bytes.length);
    expect(refs).toEqual(parseRefs(bytes, 'refcoco/refs(unc).p'));
  });

  describe('through the catalog', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'refer-progress-'));
      cpSync(join(GOLDEN, 'refcoco'), join(root, 'refcoco'), { recursive: true });
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const load = (cacheDir: string | null) => {
      const calls = new Map<string, number[]>();
      loadCatalog({
        dataRoot: root,
        datasets: ['refcoco/unc'],
        cacheDir,
        refsWorkers: 'never',
        onBytes: (file, n) => calls.set(file, [...(calls.get(file) ?? []), n]),
      });
      return calls;
    };

    it('reports each parsed file by its label, through to its size', () => {
      const calls = load(null);
      expect([...calls.keys()].sort()).toEqual(['refcoco/instances.json', 'refcoco/refs(unc).p']);
      for (const [file, counts] of calls) expectProgressThrough(counts, statSync(join(root, file)).size);
    });

    it('reports nothing for files read from their compiled index', () => {
      const cacheDir = join(root, 'cache');
      expect(load(cacheDir).size).toBe(2);
      expect(load(cacheDir).size).toBe(0);
    });
  });
});
