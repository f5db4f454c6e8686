// IdIndex build and lookup time for 200k ids: sequential ones (REFER's), and ones chosen
// to collide under Fibonacci hashing (issue 9: 46 s to build before the fallbacks).
// Prints a markdown table (medians of 5 runs after one warm-up).
//
//   npx ts-node --transpile-only bench/id-index.ts [--ids N]

import { IdIndex } from '../src/core/store/id-index';
import { timeRuns } from './timing';

const at = process.argv.indexOf('--ids');
const n = at > 0 ? Number(process.argv[at + 1]) : 200_000;

const fib = 0x9e3779b1 | 0;
let inverse = fib;
for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(fib, inverse));

const sets: [string, number[]][] = [
  ['sequential 0..n-1', Array.from({ length: n }, (_, i) => i)],
  ['sparse (COCO-like: every 11th)', Array.from({ length: n }, (_, i) => i * 11 + 7)],
  ['chosen to collide (k × Fibonacci⁻¹)', Array.from({ length: n }, (_, k) => Math.imul(k, inverse))],
];

async function main(): Promise<void> {
  console.log(`| ${n.toLocaleString('en')} ids | build median | lookups of all ids, median |`);
  console.log('|---|---:|---:|');
  for (const [name, ids] of sets) {
    let index = new IdIndex(ids);
    const build = await timeRuns(5, () => (index = new IdIndex(ids)));
    let sum = 0;
    const lookups = await timeRuns(5, () => {
      for (let i = 0; i < ids.length; i++) sum += index.get(ids[i]) ?? 0;
    });
    if (sum < 0) console.log(sum); // keeps the loop from being optimized away
    console.log(`| ${name} | ${build.median.toFixed(1)} ms | ${lookups.median.toFixed(1)} ms |`);
  }
}

void main();
