/**
 * Bad data files: each problem gives a clear error or a counted warning naming the file
 * and the record, and never a partial dataset that looks whole.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/catalog';
import { readPickle } from '../src/core/read/pickle';
import { readInstances } from '../src/core/read/instances';

const GOLDEN = join(__dirname, 'fixtures/golden/data');
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'refer-bad-'));
  cpSync(GOLDEN, root, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const instancesPath = (d: string) => join(root, d, 'instances.json');
const editInstances = (dataset: string, edit: (j: { images: Record<string, unknown>[]; annotations: Record<string, unknown>[]; categories: Record<string, unknown>[] }) => void) => {
  const j = JSON.parse(readFileSync(instancesPath(dataset), 'utf8'));
  edit(j);
  writeFileSync(instancesPath(dataset), JSON.stringify(j));
};

/** Rewrites a refs file through a minimal protocol-2 writer (test-only). */
function writeRefs(path: string, value: unknown): void {
  const out: number[] = [0x80, 2];
  const str = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    out.push(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, 0, ...b);
  };
  const emit = (v: unknown): void => {
    if (typeof v === 'string') str(v);
    else if (typeof v === 'number' && Number.isInteger(v)) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      out.push(0x4a, ...b);
    } else if (typeof v === 'number') {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(v);
      out.push(0x47, ...b);
    } else if (v === null) out.push(0x4e);
    else if (Array.isArray(v)) {
      out.push(0x5d);
      for (const x of v) {
        emit(x);
        out.push(0x61);
      }
    } else {
      out.push(0x7d);
      for (const [k, x] of Object.entries(v as object)) {
        str(k);
        emit(x);
        out.push(0x73);
      }
    }
  };
  emit(value);
  out.push(0x2e);
  writeFileSync(path, Buffer.from(out));
}
const refsPath = (d: string, s: string) => join(root, d, `refs(${s}).p`);
const editRefs = (dataset: string, splitBy: string, edit: (refs: Record<string, unknown>[]) => void) => {
  const refs = readPickle(readFileSync(refsPath(dataset, splitBy)), 'x') as Record<string, unknown>[];
  edit(refs);
  writeRefs(refsPath(dataset, splitBy), refs);
};

const load = (datasets: string[]) => loadCatalog({ dataRoot: root, datasets, cacheDir: null });

describe('bad refs files', () => {
  it('a truncated pickle fails that pair with the file and byte offset; other pairs load', () => {
    const whole = readFileSync(refsPath('refcoco', 'unc'));
    writeFileSync(refsPath('refcoco', 'unc'), whole.subarray(0, whole.length / 2));
    const catalog = load(['refcoco/unc', 'refcoco/google']);
    expect(catalog.failures).toEqual([{ pair: 'refcoco/unc', error: expect.stringMatching(/^refcoco\/refs\(unc\)\.p: byte \d+: unexpected end of data/) }]);
    expect(catalog.stores.has('refcoco/google')).toBe(true);
    expect(() => catalog.get('refcoco', 'unc')).toThrow(/refcoco\/unc failed to load: refcoco\/refs\(unc\)\.p: byte/);
  });

  it('garbage in place of a pickle is an error naming the file', () => {
    writeFileSync(refsPath('refcoco+', 'unc'), 'not a pickle at all');
    expect(load(['refcoco+/unc']).failures[0].error).toMatch(/^refcoco\+\/refs\(unc\)\.p: byte 0: unknown opcode 0x6e/);
  });

  it('a pickle that is not a list of refs is an error', () => {
    writeRefs(refsPath('refcoco', 'unc'), { ref_id: 1 });
    expect(load(['refcoco/unc']).failures[0].error).toMatch(/refcoco\/refs\(unc\)\.p: expected a pickled list of refs/);
  });

  it('refs pointing at a missing annotation or image are skipped and counted', () => {
    editRefs('refcoco', 'unc', (refs) => {
      refs[3].ann_id = 999999999;
      refs[7].ann_id = 888888888;
      refs[9].image_id = 777;
    });
    const store = load(['refcoco/unc']).get('refcoco', 'unc');
    expect(store.refCount).toBe(97);
    expect(store.warnings).toEqual([
      { file: 'refcoco/refs(unc).p', problem: 'ann_id is not in instances.json', count: 2, examples: ['ref[3] (ref_id 3), ann_id 999999999', 'ref[7] (ref_id 7), ann_id 888888888'] },
      { file: 'refcoco/refs(unc).p', problem: 'image_id is not in instances.json', count: 1, examples: ['ref[9] (ref_id 9), image_id 777'] },
    ]);
    expect(() => store.refRow(3)).toThrow(/no ref with ref_id 3/);
    // The refs that remain keep their own sentences.
    const onDisk = readPickle(readFileSync(refsPath('refcoco', 'unc')), 'x') as Record<string, unknown>[];
    for (const i of [2, 8, 10, 99]) expect(store.loadRefs([onDisk[i].ref_id as number])[0]).toEqual(onDisk[i]);
  });

  it('duplicate ref ids and sent ids keep the first record and are counted', () => {
    editRefs('refcoco', 'unc', (refs) => {
      refs[5].ref_id = refs[4].ref_id;
      (refs[8].sentences as Record<string, unknown>[])[0].sent_id = (refs[2].sentences as Record<string, unknown>[])[0].sent_id;
    });
    const store = load(['refcoco/unc']).get('refcoco', 'unc');
    expect(store.refCount).toBe(98);
    expect(store.warnings.map((w) => [w.problem, w.count])).toEqual([
      ['duplicate ref_id (the first one is kept)', 1],
      ['duplicate sent_id (the first one is kept)', 1],
    ]);
  });

  it('wrong types are counted per problem with the record named', () => {
    editRefs('refcocog', 'umd', (refs) => {
      refs[0].ref_id = 'one';
      refs[1].split = 7;
      (refs[2].sentences as Record<string, unknown>[])[0].tokens = 'not a list';
      refs[3].sentences = null;
    });
    const warnings = load(['refcocog/umd']).get('refcocog', 'umd').warnings;
    expect(warnings.map((w) => `${w.problem} @ ${w.examples[0]}`)).toEqual([
      'a ref needs an integer ref_id @ ref[0]',
      'split must be a non-empty string @ ref[1] (ref_id 1)',
      expect.stringMatching(/^sentence \d+: tokens must be a list of strings @ ref\[2\]/),
      'sentences must be a list @ ref[3] (ref_id 3)',
    ]);
  });
});

describe('bad instances.json', () => {
  it('invalid JSON fails every pair of the dataset with the parse error', () => {
    writeFileSync(instancesPath('refcoco'), '{"images": [ {"id": 1,');
    const catalog = load(['refcoco/unc', 'refcoco/google', 'refclef/unc']);
    expect(catalog.failures.map((f) => f.pair)).toEqual(['refcoco/unc', 'refcoco/google']);
    expect(catalog.failures[0].error).toMatch(/^refcoco\/instances\.json: not valid JSON \(/);
    expect(catalog.stores.has('refclef/unc')).toBe(true);
  });

  it('a missing top-level list is an error', () => {
    expect(() => readInstances(Buffer.from('{"images": [], "categories": []}'), 'x/instances.json')).toThrow(/x\/instances\.json: expected a list "annotations" at the top level/);
    expect(() => readInstances(Buffer.from('[1, 2]'), 'x/instances.json')).toThrow(/expected a JSON object/);
  });

  it('bad annotations and images are skipped and counted, and refs to them too', () => {
    let victimAnn: unknown;
    editInstances('refcoco', (j) => {
      victimAnn = j.annotations[0].id;
      j.annotations[0].bbox = [1, 2, 3];
      j.annotations[1].image_id = 424242;
      j.annotations.push({ ...j.annotations[2] });
      j.images.push({ id: 'x', file_name: 'a.jpg', height: 1, width: 1 });
    });
    const store = load(['refcoco/unc']).get('refcoco', 'unc');
    const problems = Object.fromEntries(store.warnings.map((w) => [w.problem, w.count]));
    expect(problems).toMatchObject({
      'an image needs an integer id': 1,
      'bbox must be 4 numbers [x, y, w, h]': 1,
      'image_id is not in images': 1,
      'duplicate annotation id (the first one is kept)': 1,
    });
    expect(store.warnings.find((w) => w.problem.startsWith('bbox'))!.examples[0]).toBe(`annotations[0] (id ${victimAnn})`);
    expect(() => store.annotationRow(victimAnn as number)).toThrow(/no annotation with id/);
  });

  it('a malformed segmentation is counted, not served', () => {
    editInstances('refclef', (j) => {
      j.annotations[0].segmentation = [{ counts: 'abc' }];
      j.annotations[1].segmentation = [[1, 2, 3]];
    });
    const problems = load(['refclef/unc']).get('refclef', 'unc').warnings.map((w) => w.problem);
    expect(problems).toEqual(expect.arrayContaining([
      'a segmentation part must be a polygon or an RLE dict {counts, size}',
      'a polygon must be a flat list of numbers [x1, y1, x2, y2, …] of even length',
    ]));
  });
});

describe('bad data roots and names', () => {
  it('a root without REFER data says what it expected', () => {
    expect(() => loadCatalog({ dataRoot: tmpdir(), cacheDir: null })).toThrow(/no REFER data found under .*expected <dataset>\/instances\.json and <dataset>\/refs\(<splitBy>\)\.p/);
    expect(() => loadCatalog({ dataRoot: join(root, 'nowhere'), cacheDir: null })).toThrow(/data root .*nowhere does not exist/);
  });

  it('a requested pair whose files are missing fails alone', () => {
    rmSync(refsPath('refcocog', 'google'));
    const catalog = load(['refcocog/google', 'refcocog/umd']);
    expect(catalog.failures).toEqual([{ pair: 'refcocog/google', error: expect.stringMatching(/refcocog\/refs\(google\)\.p not found under/) }]);
    expect(catalog.stores.has('refcocog/umd')).toBe(true);
  });
});

describe('refs parsed in worker threads', () => {
  it('give the same stores as parsing on the main thread', () => {
    const inWorkers = loadCatalog({ dataRoot: root, cacheDir: null, refsWorkers: 'always' });
    const here = loadCatalog({ dataRoot: root, cacheDir: null, refsWorkers: 'never' });
    expect([...inWorkers.stores.keys()]).toEqual([...here.stores.keys()]);
    for (const [pair, store] of here.stores) {
      const other = inWorkers.get(...(pair.split('/') as [string, string]));
      expect(other.loadRefs(other.getRefIds())).toEqual(store.loadRefs(store.getRefIds()));
    }
  });

  it('report a data error from the worker like one from the main thread', () => {
    const whole = readFileSync(refsPath('refcoco', 'unc'));
    writeFileSync(refsPath('refcoco', 'unc'), whole.subarray(0, 100));
    const [a, b] = (['always', 'never'] as const).map((refsWorkers) => loadCatalog({ dataRoot: root, datasets: ['refcoco/unc'], cacheDir: null, refsWorkers }).failures);
    expect(a).toEqual(b);
    expect(a[0].error).toMatch(/^refcoco\/refs\(unc\)\.p: byte \d+: unexpected end of data/);
  });
});
