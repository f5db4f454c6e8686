import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPickle, type PickleDict, type PickleValue } from '../src/core/read/pickle';
import { rleArea, rleFromString, rleToBbox } from '../src/mask';
import { generateDataRoot, main, parseArgs, type Summary } from '../src/sample/generate';
import { normaliseTokens } from '../src/sample/vocabulary';

const DATA = join(__dirname, '..', 'data');
const REGENERATE = 'npx ts-node --transpile-only src/sample/generate.ts --out data --scale sample';

const LAYOUT = [
  'grefcoco/grefs(unc).json', 'grefcoco/instances.json',
  'refclef/instances.json', 'refclef/refs(berkeley).p', 'refclef/refs(unc).p',
  'refcoco+/instances.json', 'refcoco+/refs(unc).p',
  'refcoco/instances.json', 'refcoco/refs(google).p', 'refcoco/refs(unc).p',
  'refcocog/instances.json', 'refcocog/refs(google).p', 'refcocog/refs(umd).p',
];

/** The painted image files of a root's datasets, where REFER looks for them. */
function imageFiles(root: string, datasets = ['refclef', 'refcoco+', 'refcoco', 'refcocog']): string[] {
  const paths = datasets.flatMap((dataset) => {
    const folder = dataset === 'refclef' ? 'images/saiapr_tc-12' : 'images/mscoco/images/train2014';
    const { images } = JSON.parse(readFileSync(join(root, dataset, 'instances.json'), 'utf8')) as { images: { file_name: string }[] };
    return images.map((img) => `${folder}/${img.file_name}`);
  });
  return [...new Set(paths)].sort();
}

type Json = Record<string, unknown>;
interface Instances {
  images: Json[];
  annotations: Json[];
  categories: Json[];
}
type Ref = PickleDict & { sentences: PickleDict[]; sent_ids: number[] };

/** The files of a data root, without the compiled-index cache a server writes beside them. */
function files(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir))
    .filter((name) => name !== '.refer-cache')
    .flatMap((name) => {
      const rel = dir ? `${dir}/${name}` : name;
      return statSync(join(root, rel)).isDirectory() ? files(root, rel) : [rel];
    })
    .sort();
}

const tmpDirs: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'refer-generate-'));
  tmpDirs.push(dir);
  return dir;
}

let root: string;
let summary: Summary;
const refsCache = new Map<string, Ref[]>();
const instancesCache = new Map<string, Instances>();

function refs(dataset: string, splitBy: string): Ref[] {
  // gRefCOCO's refs are a JSON list.
  const file = dataset === 'grefcoco' ? `grefcoco/grefs(${splitBy}).json` : `${dataset}/refs(${splitBy}).p`;
  if (!refsCache.has(file)) refsCache.set(file, (file.endsWith('.json') ? JSON.parse(readFileSync(join(root, file), 'utf8')) : readPickle(readFileSync(join(root, file)), file)) as Ref[]);
  return refsCache.get(file) as Ref[];
}

function instances(dataset: string): Instances {
  if (!instancesCache.has(dataset)) {
    instancesCache.set(dataset, JSON.parse(readFileSync(join(root, dataset, 'instances.json'), 'utf8')) as Instances);
  }
  return instancesCache.get(dataset) as Instances;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

// Painting the sample's 178 JPEGs takes most of the generation (jpeg-js encodes in JS).
beforeAll(async () => {
  root = tmp();
  summary = await generateDataRoot({ out: root, scale: 'sample' });
}, 120_000);

afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('the bundled sample', () => {
  test('data/ is exactly a fresh sample generation, images included (regenerate with the command in the message)', () => {
    const layout = [...imageFiles(root), ...LAYOUT].sort();
    expect(files(DATA)).toEqual(layout);
    for (const file of layout) {
      const same = readFileSync(join(DATA, file)).equals(readFileSync(join(root, file)));
      expect({ file, same, fix: same ? '' : REGENERATE }).toEqual({ file, same: true, fix: '' });
    }
  });

  test('stays small: annotations under 3 MB, all with images under 6 MB, 40-80 images and 100-200 refs per pair', () => {
    const size = (list: string[]) => list.reduce((t, f) => t + statSync(join(root, f)).size, 0);
    expect(size(LAYOUT)).toBeLessThan(3e6);
    expect(size(files(root))).toBeLessThan(6e6);
    for (const pair of summary.pairs) {
      expect(pair.imagesWithRefs).toBeGreaterThanOrEqual(40);
      expect(pair.images).toBeLessThanOrEqual(80);
      expect(pair.refs).toBeGreaterThanOrEqual(100);
      expect(pair.refs).toBeLessThanOrEqual(200);
    }
  });
});

describe('determinism', () => {
  test('the same seed gives the same bytes; another seed does not', async () => {
    // Without images, which take most of the time: the staleness check above compares a
    // fresh root's images with data/, made by another process.
    const again = tmp();
    await generateDataRoot({ out: again, scale: 'sample', images: false });
    expect(files(again)).toEqual(LAYOUT);
    for (const file of LAYOUT) expect([file, readFileSync(join(again, file)).equals(readFileSync(join(root, file)))]).toEqual([file, true]);
    const other = tmp();
    await generateDataRoot({ out: other, scale: 'sample', seed: 8, datasets: ['refclef'], images: false });
    expect(readFileSync(join(other, 'refclef/refs(unc).p')).equals(readFileSync(join(root, 'refclef/refs(unc).p')))).toBe(false);
  });

  test('a dataset written alone is byte-identical to the same dataset in a whole root, images included', async () => {
    // In a whole root RefCOCO+'s images are RefCOCO's files: the same pictures.
    const alone = tmp();
    await generateDataRoot({ out: alone, scale: 'sample', datasets: ['refcoco+'] });
    expect(files(alone)).toEqual([...imageFiles(alone, ['refcoco+']), 'refcoco+/instances.json', 'refcoco+/refs(unc).p']);
    for (const file of files(alone)) expect(readFileSync(join(alone, file)).equals(readFileSync(join(root, file)))).toBe(true);
  });
});

describe('summary', () => {
  test('matches the files', () => {
    const images = imageFiles(root);
    expect(files(root)).toEqual([...images, ...LAYOUT].sort());
    expect(summary.datasets.map((d) => [d.dataset, d.imageFiles])).toEqual([['refcoco', 60], ['refcoco+', 0], ['refcocog', 78], ['refclef', 40], ['grefcoco', 0]]);
    expect(summary.datasets.reduce((t, d) => t + d.imageFiles, 0)).toBe(images.length);
    expect(summary.datasets.reduce((t, d) => t + d.imageBytes, 0)).toBe(images.reduce((t, f) => t + statSync(join(root, f)).size, 0));
    for (const pair of summary.pairs) {
      const list = refs(pair.dataset, pair.splitBy);
      expect(statSync(join(root, pair.file)).size).toBe(pair.bytes);
      expect(list.length).toBe(pair.refs);
      expect(list.reduce((t, r) => t + r.sentences.length, 0)).toBe(pair.sentences);
      expect(countBy(list, (r) => r.split as string)).toEqual(pair.splits);
    }
    for (const d of summary.datasets) {
      const inst = instances(d.dataset);
      expect(statSync(join(root, d.dataset, 'instances.json')).size).toBe(d.instancesBytes);
      expect([inst.images.length, inst.annotations.length]).toEqual([d.images, d.annotations]);
    }
  });

  test('a fraction of full scale has the real counts per split, scaled', async () => {
    const out = tmp();
    const small = await generateDataRoot({ out, scale: 0.01, datasets: ['refcoco'] });
    const unc = small.pairs.find((p) => p.splitBy === 'unc');
    // 42,404 / 3,811 / 1,975 / 1,810 refs and 142,210 sentences at full scale.
    expect(unc?.splits).toEqual({ train: 424, val: 38, testA: 20, testB: 18 });
    expect(unc?.sentences).toBe(1206 + 108 + 57 + 51);
    expect(small.datasets[0].images).toBe(170 + 15 + 8 + 8);
    // Only the sample gets image files by default, like most users of the real data.
    expect([small.datasets[0].imageFiles, existsSync(join(out, 'images'))]).toEqual([0, false]);
  });
});

describe('refs files', () => {
  const PAIRS: [string, string, string[]][] = [
    ['refcoco', 'unc', ['train', 'val', 'testA', 'testB']],
    ['refcoco', 'google', ['train', 'val', 'test']],
    ['refcoco+', 'unc', ['train', 'val', 'testA', 'testB']],
    ['refcocog', 'google', ['train', 'val']],
    ['refcocog', 'umd', ['train', 'val', 'test']],
    ['refclef', 'unc', ['train', 'val', 'testA', 'testB', 'testC', 'testAB', 'testBC', 'testAC']],
    ['refclef', 'berkeley', ['train', 'val', 'test']],
  ];

  test.each(PAIRS)('%s/%s: REFER ref and sentence shape, split labels', (dataset, splitBy, splits) => {
    const list = refs(dataset, splitBy);
    const anns = new Map(instances(dataset).annotations.map((a) => [a.id, a]));
    const keys = ['sent_ids', 'file_name', 'ann_id', 'ref_id', 'image_id', 'split', 'sentences', 'category_id'];
    expect(Object.keys(countBy(list, (r) => r.split as string)).sort()).toEqual([...splits].sort());
    for (const ref of list) {
      expect(Object.keys(ref)).toEqual(dataset === 'refclef' ? keys.filter((k) => k !== 'file_name') : keys);
      const ann = anns.get(ref.ann_id) as Json;
      expect([ann.image_id, ann.category_id]).toEqual([ref.image_id, ref.category_id]);
      if (dataset === 'refclef') expect(ref.ann_id).toMatch(new RegExp(`^${ref.image_id}_\\d+$`));
      else expect(ref.file_name).toBe(`COCO_train2014_${String(ref.image_id).padStart(12, '0')}_${ref.ann_id}.jpg`);
      expect(ref.sent_ids).toEqual(ref.sentences.map((s) => s.sent_id));
      for (const s of ref.sentences) {
        expect(Object.keys(s)).toEqual(['tokens', 'raw', 'sent_id', 'sent']);
        expect((s.tokens as string[]).join(' ')).toBe(s.sent);
        expect(normaliseTokens(s.raw as string)).toEqual(s.tokens);
      }
    }
    expect(new Set(list.map((r) => r.ann_id)).size).toBe(list.length);
    expect(new Set(list.map((r) => r.ref_id)).size).toBe(list.length);
    const sentences = list.flatMap((r) => r.sentences);
    expect(sentences.some((s) => s.raw !== s.sent)).toBe(true);
  });

  test('expressions include non-ASCII words, in every pickle flavour', () => {
    for (const [dataset, splitBy] of [['refcoco', 'unc'], ['refcoco+', 'unc'], ['refcocog', 'umd'], ['refclef', 'unc']]) {
      const raw = refs(dataset, splitBy).flatMap((r) => r.sentences.map((s) => s.raw as string));
      expect([dataset, raw.some((t) => /[^\x00-\x7f]/.test(t))]).toEqual([dataset, true]);
    }
  });

  test('unc testA refers to people only, testB to other objects', () => {
    for (const dataset of ['refcoco', 'refcoco+']) {
      const list = refs(dataset, 'unc');
      expect(list.filter((r) => r.split === 'testA').every((r) => r.category_id === 1)).toBe(true);
      expect(list.filter((r) => r.split === 'testB').every((r) => r.category_id !== 1)).toBe(true);
    }
  });

  test('refcoco unc and google share refs, ref_ids and sent_ids; only split differs', () => {
    const strip = (r: Ref) => ({ ...r, split: undefined });
    const unc = refs('refcoco', 'unc');
    const google = refs('refcoco', 'google');
    expect(google.map(strip)).toEqual(unc.map(strip));
    expect(unc.some((r, i) => r.split !== google[i].split)).toBe(true);
  });

  test('refclef unc and berkeley share refs; only split differs', () => {
    const strip = (r: Ref) => ({ ...r, split: undefined });
    expect(refs('refclef', 'berkeley').map(strip)).toEqual(refs('refclef', 'unc').map(strip));
  });

  test('refcocog google and umd share sent_ids but not ref_ids; umd leaves some images without refs', () => {
    const google = new Map(refs('refcocog', 'google').map((r) => [r.ann_id, r]));
    const umd = refs('refcocog', 'umd');
    for (const ref of umd) {
      const g = google.get(ref.ann_id) as Ref;
      expect([g.sent_ids, g.sentences]).toEqual([ref.sent_ids, ref.sentences]);
    }
    expect(umd.filter((r) => (google.get(r.ann_id) as Ref).ref_id !== r.ref_id).length).toBeGreaterThan(0);
    const umdImages = new Set(umd.map((r) => r.image_id));
    expect(instances('refcocog').images.filter((img) => !umdImages.has(img.id as number)).length).toBeGreaterThan(0);
    expect(google.size).toBeGreaterThan(umd.length);
    const byImage = countBy(umd, (r) => String(r.image_id));
    const splitsOfImage = new Map<string, Set<PickleValue>>();
    for (const r of umd) splitsOfImage.set(String(r.image_id), (splitsOfImage.get(String(r.image_id)) ?? new Set()).add(r.split));
    expect(Object.keys(byImage).every((img) => (splitsOfImage.get(img) as Set<PickleValue>).size === 1)).toBe(true);
  });

  test('pickle flavours are the real files\' ones', () => {
    const head = (file: string) => readFileSync(join(root, file)).subarray(0, 32).toString('latin1');
    expect(head('refcoco/refs(unc).p')).toMatch(/^\x80\x02\]q\x00\(\}q\x01\(U\x08sent_ids/);
    expect(head('refcocog/refs(umd).p')).toMatch(/^\x80\x02\]q\x00\(\}q\x01\(U\x08sent_ids/);
    expect(head('refcoco+/refs(unc).p')).toMatch(/^\x80\x02\]q\x00\(\}q\x01\(X\x08\x00/);
    expect(head('refclef/refs(berkeley).p')).toMatch(/^\x80\x02\]q\x00\(\}q\x01\(X\x08\x00/);
    expect(head('refclef/refs(unc).p')).toMatch(/^\(lp0\n\(dp1\nS'sent_ids'\np2\n/);
  });

  test('non-ASCII text is a py2 unicode in refcoco, UTF-8 bytes in a py2 str in refcocog, V in protocol 0', () => {
    const firstNonAscii = (dataset: string, splitBy: string) =>
      refs(dataset, splitBy).flatMap((r) => r.sentences.map((s) => s.sent as string)).find((t) => /[^\x00-\x7f]/.test(t)) as string;
    const contains = (file: string, bytes: Buffer) => readFileSync(join(root, file)).includes(bytes);
    const utf8 = (t: string) => Buffer.from(t, 'utf8');
    const u32 = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, 0, 0]);

    const coco = utf8(firstNonAscii('refcoco', 'unc'));
    expect(contains('refcoco/refs(unc).p', Buffer.concat([Buffer.from('X'), u32(coco.length), coco]))).toBe(true);
    const cocog = utf8(firstNonAscii('refcocog', 'umd'));
    expect(contains('refcocog/refs(umd).p', Buffer.concat([Buffer.from([0x55, cocog.length]), cocog]))).toBe(true);
    const clef = firstNonAscii('refclef', 'unc');
    const escaped = [...clef].map((c) => (c.charCodeAt(0) < 0x100 ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('');
    expect(contains('refclef/refs(unc).p', Buffer.from(`V${escaped}\n`, 'latin1'))).toBe(true);
  });
});

describe('instances.json', () => {
  test.each(['refcoco', 'refcoco+', 'refcocog'])('%s: COCO images, categories and polygon annotations', (dataset) => {
    const inst = instances(dataset);
    expect(inst.categories).toHaveLength(80);
    expect(inst.categories.find((c) => c.id === 90)).toEqual({ supercategory: 'indoor', id: 90, name: 'toothbrush' });
    expect(inst.categories.some((c) => c.id === 12)).toBe(false);
    const images = new Map(inst.images.map((img) => [img.id, img]));
    for (const img of inst.images) {
      expect(Object.keys(img)).toEqual(['license', 'file_name', 'coco_url', 'height', 'width', 'date_captured', 'flickr_url', 'id']);
      expect(img.file_name).toBe(`COCO_train2014_${String(img.id).padStart(12, '0')}.jpg`);
    }
    const perImage = countBy(inst.annotations, (a) => String(a.image_id));
    expect(Object.keys(perImage)).toHaveLength(inst.images.length);
    let multiPart = 0;
    const problems: string[] = [];
    for (const ann of inst.annotations) {
      const at = `annotation ${ann.id}`;
      if (Object.keys(ann).join() !== 'segmentation,area,iscrowd,image_id,bbox,category_id,id') problems.push(`${at}: keys`);
      const img = images.get(ann.image_id) as Json;
      const parts = ann.segmentation as number[][];
      if (parts.length > 1) multiPart++;
      const xs = parts.flatMap((p) => p.filter((_, i) => i % 2 === 0));
      const ys = parts.flatMap((p) => p.filter((_, i) => i % 2 === 1));
      if (!parts.every((p) => p.length % 2 === 0 && p.length >= 6)) problems.push(`${at}: polygon length`);
      if (![...xs, ...ys].every((v) => Math.round(v * 100) / 100 === v && v >= 0)) problems.push(`${at}: not 2 decimals`);
      if (Math.max(...xs) > (img.width as number) || Math.max(...ys) > (img.height as number)) problems.push(`${at}: outside`);
      const [x, y, w, h] = ann.bbox as number[];
      const [x1, y1] = [Math.max(...xs), Math.max(...ys)];
      if (x !== Math.min(...xs) || y !== Math.min(...ys) || Math.abs(x + w - x1) > 1e-6 || Math.abs(y + h - y1) > 1e-6) {
        problems.push(`${at}: bbox ${ann.bbox} is not the polygons' box`);
      }
      if (ann.iscrowd !== 0 || typeof ann.area !== 'number') problems.push(`${at}: iscrowd/area`);
    }
    expect(problems).toEqual([]);
    expect(multiPart).toBeGreaterThan(inst.annotations.length * 0.05);
    const referred = new Set(refs(dataset, dataset === 'refcocog' ? 'google' : 'unc').map((r) => r.ann_id));
    expect(referred.size).toBeLessThan(inst.annotations.length / 2);
  });

  test('refcoco and refcoco+ share one pool of images and annotations', () => {
    const coco = instances('refcoco');
    const plus = instances('refcoco+');
    const cocoAnns = new Map(coco.annotations.map((a) => [a.id, a]));
    const cocoImages = new Set(coco.images.map((i) => i.id));
    expect(plus.images.every((i) => cocoImages.has(i.id))).toBe(true);
    for (const ann of plus.annotations) expect(cocoAnns.get(ann.id)).toEqual(ann);
  });

  test('refclef: string ids, mask names, SAIAPR file names and RLE segmentations that decode to area and bbox', () => {
    const inst = instances('refclef');
    expect(inst.categories[0]).toEqual({ supercategory: 'landscape-nature', id: 1, name: 'sky-blue' });
    const images = new Map(inst.images.map((img) => [img.id, img]));
    for (const img of inst.images) {
      expect(Object.keys(img)).toEqual(['file_name', 'height', 'width', 'id']);
      expect(img.file_name).toBe(`${String(Math.floor((img.id as number) / 1000)).padStart(2, '0')}/${img.id}.jpg`);
    }
    for (const ann of inst.annotations) {
      expect(Object.keys(ann)).toEqual(['segmentation', 'area', 'image_id', 'bbox', 'category_id', 'id', 'mask_name']);
      expect(ann.id).toMatch(new RegExp(`^${ann.image_id}_\\d+$`));
      expect(ann.mask_name).toBe(`${ann.id}.png`);
      const img = images.get(ann.image_id) as Json;
      const [seg] = ann.segmentation as { counts: string; size: number[] }[];
      expect(ann.segmentation).toHaveLength(1);
      expect(seg.size).toEqual([img.height, img.width]);
      const rle = rleFromString(seg.counts, seg.size[0], seg.size[1]);
      expect(rleArea(rle)).toBe(ann.area);
      expect(rleToBbox(rle)).toEqual(ann.bbox);
    }
    const referred = new Set(refs('refclef', 'unc').map((r) => r.ann_id));
    expect(referred.size).toBeLessThan(inst.annotations.length);
    expect(referred.size).toBeGreaterThan(inst.annotations.length * 0.8);
  });
});

describe('CLI entry', () => {
  test('main writes the datasets asked for and prints a summary', async () => {
    const out = tmp();
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--out', out, '--scale', 'sample', '--datasets', 'refclef', '--images', 'false'])).toBe(0);
      expect(String(write.mock.calls[0][0])).toMatch(/refclef\/refs\(unc\)\.p \[protocol0\]: 193 refs/);
    } finally {
      write.mockRestore();
    }
    expect(files(out)).toEqual(LAYOUT.filter((f) => f.startsWith('refclef/')));
  });

  test('bad arguments are reported, not thrown', async () => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--scale', 'full'])).toBe(2);
      expect(String(err.mock.calls[0][0])).toMatch(/--out is required/);
    } finally {
      err.mockRestore();
    }
    expect(parseArgs(['--out', 'x', '--scale', '0.5', '--seed', '3', '--datasets', 'refcoco, refclef'])).toEqual({
      out: 'x', scale: 0.5, seed: 3, datasets: ['refcoco', 'refclef'],
    });
    await expect(generateDataRoot({ out: tmp(), scale: 'sample', datasets: ['refcoco', 'refcocoh'] })).rejects.toThrow(
      /unknown dataset "refcocoh"; valid datasets: refcoco, refcoco\+, refcocog, refclef/,
    );
    await expect(generateDataRoot({ out: tmp(), scale: -1 })).rejects.toThrow(/positive fraction/);
    expect(() => parseArgs(['--out', 'x', '--images', 'yes'])).toThrow(/--images must be true or false/);
    expect(parseArgs(['--out', 'x', '--images', 'false'])).toEqual({ out: 'x', scale: 'sample', images: false });
  });
});
