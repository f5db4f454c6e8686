/**
 * Every example of README.md answers something on the bundled sample (issue 8 §3): its
 * GraphQL queries (indented blocks starting with `query`, with an optional `variables:`
 * line), its curl lines and the query of its Python example are read from the README
 * here and run against the app on data/. A query must answer without errors and with
 * no null and no empty list anywhere in its data; a curl line must answer 200 (and, for
 * GraphQL, the same as a query).
 *
 * The requests run in a child process: renders and mask PNGs are encoded by fast-png, an
 * ES module jest cannot load.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Example {
  source: string;
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** Indented code blocks, split at blank lines into chunks (a query and its variables line stay together). */
function indentedChunks(markdown: string): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let inFence = false;
  const flush = () => {
    if (current.length) chunks.push(current.join('\n'));
    current = [];
  };
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    if (!inFence && /^ {4}/.test(line) && line.trim() !== "") current.push(line.slice(4));
    else flush();
  }
  flush();
  return chunks;
}

function graphqlPost(source: string, query: string, variables?: unknown): Example {
  return { source, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) };
}

/** The words of a shell command line, with '…' and "…" quoting and \ escapes inside "…". */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:\\.|[^"\\])*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]);
  return words;
}

function curlExample(source: string): Example {
  const words = shellWords(source.replace(/\\\n\s*/g, ' '));
  const example: Example = { source, path: '', method: 'GET', headers: {} };
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (word === '-H') {
      const [name, ...value] = words[++i].split(':');
      example.headers[name.trim().toLowerCase()] = value.join(':').trim();
    } else if (word === '-d') {
      example.body = words[++i];
      example.method = 'POST';
    } else if (word === '--data-binary') {
      const value = words[++i];
      example.body = value.startsWith('@') ? readFileSync(join(ROOT, value.slice(1)), 'utf8') : value;
      example.method = 'POST';
    } else if (word === '-X') {
      example.method = words[++i] as Example['method'];
    } else if (word === '-o' || word === '-so') {
      i++;
    } else if (word.startsWith('http://')) {
      const url = new URL(word);
      example.path = url.pathname + url.search;
    }
  }
  if (!example.path) throw new Error(`README curl line without a URL: ${source}`);
  return example;
}

function readmeExamples(): Example[] {
  const examples: Example[] = [];
  for (const chunk of indentedChunks(README)) {
    if (/^(query\b|\{)/.test(chunk)) {
      const variablesLine = /^variables: (.*)$/m.exec(chunk);
      const query = chunk.replace(/^variables: .*$/m, '').trim();
      examples.push(graphqlPost(chunk, query, variablesLine ? JSON.parse(variablesLine[1]) : undefined));
    } else if (chunk.startsWith('curl ')) {
      for (const line of chunk.split(/\n(?=curl )/)) examples.push(curlExample(line));
    }
  }
  for (const python of README.matchAll(/```python\n([\s\S]*?)```/g)) {
    const query = /"query": """([\s\S]*?)"""/.exec(python[1]);
    const variables = /"variables": (\{.*\})/.exec(python[1]);
    if (query) examples.push(graphqlPost(python[1], query[1], variables ? JSON.parse(variables[1]) : undefined));
  }
  return examples;
}

interface Answer {
  status: number;
  type: string | null;
  bytes: number;
  json?: { data?: unknown; errors?: unknown };
}

function answer(examples: Example[]): Answer[] {
  const script = `
    const { loadCatalog } = require('./src/core/catalog');
    const { createYogaApp } = require('./src/server');
    const yoga = createYogaApp(loadCatalog({ dataRoot: 'data', cacheDir: null }), { log: false });
    (async () => {
      const out = [];
      for (const e of ${JSON.stringify(examples)}) {
        const r = await yoga.fetch('http://127.0.0.1:4000' + e.path, { method: e.method, headers: e.headers, body: e.body });
        const bytes = Buffer.from(await r.arrayBuffer());
        const type = r.headers.get('content-type');
        out.push({ status: r.status, type, bytes: bytes.length, json: type && type.startsWith('application/') && type.includes('json') && !type.includes('ndjson') ? JSON.parse(bytes.toString()) : undefined });
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((e) => { console.error(e); process.exit(1); });
  `;
  return JSON.parse(execFileSync(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), '-e', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 })) as Answer[];
}

/** Paths in `value` that are null or an empty list. */
function emptySpots(value: unknown, path = 'data'): string[] {
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.length === 0 ? [path] : value.flatMap((v, i) => emptySpots(v, `${path}[${i}]`));
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => emptySpots(v, `${path}.${k}`));
  return [];
}

const examples = readmeExamples();
const answers = answer(examples);

test('the README has GraphQL, curl and Python examples to run', () => {
  expect(examples.filter((e) => e.path === '/graphql').length).toBeGreaterThanOrEqual(5);
  expect(examples.filter((e) => e.source.startsWith('curl ')).length).toBeGreaterThanOrEqual(5);
  expect(examples.some((e) => e.source.includes('requests.post'))).toBe(true);
});

describe.each(examples.map((e, i) => [e.source.split('\n')[0].slice(0, 90), i] as const))('README example %s', (_title, i) => {
  test('answers 200 with something', () => {
    const { status, bytes, json } = answers[i];
    expect(status).toBe(200);
    expect(bytes).toBeGreaterThan(0);
    if (examples[i].path === '/graphql') {
      expect(json?.errors).toBeUndefined();
      expect(emptySpots(json?.data)).toEqual([]);
    }
  });
});
