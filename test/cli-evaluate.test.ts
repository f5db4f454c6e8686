/**
 * `refer-graphql evaluate` as users run it: a real process over the golden data root,
 * the golden predictions replayed through it (--json), the table, and bad input.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GOLDEN_DATA } from './api-helpers';
import { CLI } from './cli-command';
import { expectMatchesGolden, GOLDEN_EVAL, goldenCases } from './eval-golden-helpers';

const ROOT = join(__dirname, '..');
const run = (...args: string[]) => spawnSync(process.execPath, [...CLI, 'evaluate', '--data-root', GOLDEN_DATA, '--no-cache', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, REFER_DATA_ROOT: '', REFER_CACHE_DIR: '' } });

const cases = goldenCases().filter((c) => c.dataset === 'refcoco' && c.splitBy === 'unc' && c.split === 'testA' && ['boxes_by_sent', 'masks', 'captions'].includes(c.kind));
const predictions = (name: string) => join(GOLDEN_EVAL, 'predictions', `${name}.json`);

test.each(cases.map((c) => [c.name, c] as const))('%s: --json prints the reference answer', (_name, c) => {
  const r = run('--dataset', 'refcoco/unc', '--split', 'testA', '--task', c.task, '--json', predictions(c.name));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expectMatchesGolden(JSON.parse(r.stdout), c, true);
}, 60_000);

test('the table gives accuracy at the thresholds asked, with --iou continuous', () => {
  const c = cases.find((x) => x.kind === 'boxes_by_sent')!;
  const r = run('--dataset', 'refcoco/unc', '--split', 'testA', '--iou', 'continuous', '--thresholds', '0.5,0.7', predictions(c.name));
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('IoU: continuous (torchvision box_iou)');
  expect(r.stdout).toContain(`accuracy@0.5: ${c.answer.overall.given_continuous.accuracy['0.5'].toFixed(3)}`);
  expect(r.stdout).toMatch(/accuracy@0\.7: \d\.\d{3}/);
  expect(r.stdout).not.toContain('accuracy@0.25');
}, 60_000);

test('bad options and bad predictions exit 1 with one line naming the problem', () => {
  const c = cases.find((x) => x.kind === 'boxes_by_sent')!;
  const task = run('--dataset', 'refcoco/unc', '--split', 'testA', '--task', 'boxez', predictions(c.name));
  expect(task.status).toBe(1);
  expect(task.stderr).toMatch(/^refer-graphql: unknown task "boxez": use one of boxes, masks, expressions\n$/);
  const thresholds = run('--dataset', 'refcoco/unc', '--split', 'testA', '--thresholds', '0.5,2', predictions(c.name));
  expect(thresholds.status).toBe(1);
  expect(thresholds.stderr).toMatch(/--thresholds.*got "2"/);
  const missing = run('--dataset', 'refcoco/unc', '--split', 'testA', join(ROOT, 'no-such-file.json'));
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/no-such-file\.json: cannot be read/);
  const masks = run('--dataset', 'refcoco/unc', '--split', 'testA', '--task', 'masks', predictions(c.name));
  expect(masks.status).toBe(1);
  expect(masks.stderr).toMatch(/prediction 0: no "segmentation"/);
}, 60_000);
