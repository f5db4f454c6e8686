/**
 * Requests refused before GraphQL work (src/http/request-guards.ts) and the CORS policy
 * (src/http/cors.ts, serve --cors-origin): issue 9 item 10.
 */
import { buildProgram } from '../src/cli';
import { documentNesting, MAX_DOCUMENT_NESTING } from '../src/http/request-guards';
import { gql, testApp } from './api-helpers';

const yoga = testApp();

async function post(contentType: string | undefined, body: BodyInit): Promise<Response> {
  return yoga.fetch('http://localhost/graphql', { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body });
}

describe('form POSTs to /graphql', () => {
  it('refuses application/x-www-form-urlencoded with 415, naming the media type', async () => {
    const r = await post('application/x-www-form-urlencoded', 'query=%7B__typename%7D');
    expect(r.status).toBe(415);
    expect(await r.text()).toMatch(/Content-Type application\/x-www-form-urlencoded is not accepted.*application\/json/);
  });

  it('refuses multipart/form-data with 415', async () => {
    const form = new FormData();
    form.set('query', '{ __typename }');
    const r = await post(undefined, form); // fetch sets multipart/form-data; boundary=…
    expect(r.status).toBe(415);
    expect(await r.text()).toMatch(/multipart\/form-data is not accepted/);
  });

  it('refuses parameters on the media type too (case-insensitive)', async () => {
    expect((await post('Application/X-WWW-Form-URLEncoded; charset=utf-8', 'query=%7B__typename%7D')).status).toBe(415);
  });

  it('still executes JSON POSTs', async () => {
    const r = await gql(yoga, '{ __typename }');
    expect(r).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });
});

describe('deeply nested documents', () => {
  const accept = 'application/graphql-response+json';
  async function run(query: string) {
    const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query }) });
    return { status: r.status, body: await r.json() };
  }

  it('answers an object value nested 2,000 levels deep with a 400 saying so (not INTERNAL_SERVER_ERROR)', async () => {
    const r = await run(`{ datasets(x: ${'{a: '.repeat(2000)}1${'}'.repeat(2000)}) { name } }`);
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      { message: `Document nested 2002 levels deep (brackets { [ ( ); the limit is ${MAX_DOCUMENT_NESTING}`, extensions: { code: 'BAD_REQUEST' } },
    ]);
  });

  it('answers selections nested 6,000 levels deep with a 400', async () => {
    const r = await run(`{ datasets ${'{ name '.repeat(6000)}${'}'.repeat(6001)}`);
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('leaves moderate depth to the field-depth limit', async () => {
    const r = await run(`{ datasets ${'{ name '.repeat(20)}${'}'.repeat(21)}`);
    expect(r.body.errors[0].message).toMatch(/depth limit of 12/);
  });

  it('counts brackets outside strings and comments only', () => {
    expect(documentNesting('{ a { b(x: [1, [2]]) } }')).toBe(5);
    expect(documentNesting('{ a(s: "{{{{[[[") # ((((\n}')).toBe(2);
    expect(documentNesting('{ a(s: "\\"{{{") }')).toBe(2);
    expect(documentNesting('{ a(s: """ {{{ \\""" [[[ """) }')).toBe(2);
  });
});

describe('CORS', () => {
  const preflight = (app = yoga, origin = 'http://evil.example') =>
    app.fetch('http://localhost/graphql', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

  it('lets any origin read, but never with credentials', async () => {
    const r = await preflight();
    expect(r.headers.get('access-control-allow-origin')).toBe('http://evil.example');
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    const get = await yoga.fetch('http://localhost/graphql?query=%7B__typename%7D', { headers: { origin: 'http://evil.example' } });
    expect(get.headers.get('access-control-allow-credentials')).toBeNull();
    expect(get.headers.get('access-control-expose-headers')).toBe('ETag');
  });

  it('allows only the listed origins when given corsOrigins', async () => {
    const app = testApp({ corsOrigins: ['https://a.example', 'https://b.example'] });
    expect((await preflight(app, 'https://b.example')).headers.get('access-control-allow-origin')).toBe('https://b.example');
    expect((await preflight(app, 'https://evil.example')).headers.get('access-control-allow-origin')).toBe('null');
    expect((await preflight(app, 'https://b.example')).headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('serve --cors-origin', () => {
  function serveOptions(args: string[]) {
    const serve = buildProgram().commands.find((c) => c.name() === 'serve')!;
    serve.exitOverride().configureOutput({ writeErr: () => {} });
    serve.parseOptions(args);
    return serve.opts();
  }

  it('collects repeated origins', () => {
    expect(serveOptions(['--cors-origin', 'https://a.example', '--cors-origin', 'http://localhost:3000']).corsOrigin).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(serveOptions([]).corsOrigin).toEqual([]);
  });

  it.each(['a.example', 'https://a.example/', 'https://a.example/path', '*'])('refuses %p, which is not an origin', (value) => {
    expect(() => serveOptions(['--cors-origin', value])).toThrow(/expected an origin such as https:\/\/example\.org/);
  });
});
