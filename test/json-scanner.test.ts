import { DataError } from '../src/core/errors';
import { FloatPool, JsonScanner } from '../src/core/read/json-scanner';

const parse = (text: string) => {
  const s = new JsonScanner(Buffer.from(text, 'utf8'), 'f.json');
  const v = s.value();
  s.end();
  return v;
};

describe('JsonScanner', () => {
  it('gives the same doubles as JSON.parse for COCO-like and awkward numbers', () => {
    let seed = 1;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const texts: string[] = ['0', '-0', '0.1', '0.30000000000000004', '1e5', '-2.5E-3', '123456789012345678', '9007199254740993', '1.7976931348623157e308', '5e-324', '211.42', '354.0'];
    for (let i = 0; i < 20000; i++) {
      const decimals = Math.floor(rand() * 18);
      texts.push((rand() * 10 ** Math.floor(rand() * 7) * (rand() < 0.2 ? -1 : 1)).toFixed(decimals));
      texts.push(String(rand() * 1000));
    }
    for (const t of texts) expect(Object.is(parse(t), JSON.parse(t))).toBe(true);
  });

  it('parses strings, escapes, unicode, nesting and literals like JSON.parse', () => {
    const text = JSON.stringify({ a: 'plain', b: 'tab\there "quoted" \\ back', c: 'crème résumé man’s 😀', d: '\u0001\u001f', e: [1, [2, [3, {}]], []], f: true, g: false, h: null, long: 'x'.repeat(100) });
    expect(parse(text)).toEqual(JSON.parse(text));
    expect(parse('{"__proto__": 1}')).toEqual(JSON.parse('{"__proto__": 1}'));
    expect(Object.getPrototypeOf(parse('{"__proto__": {"x": 1}}'))).toBe(Object.prototype);
  });

  it.each([
    ['{"a": 1', /byte 7: expected "," or "}", found end of file/],
    ['{"a" 1}', /byte 5: expected ":"/],
    ['[1, 2,]', /byte 6: expected a value/],
    ['{"a": tru}', /expected true/],
    ['"abc', /byte 0: unterminated string/],
    ['[1] x', /unexpected data after the end/],
    ['-', /expected a number/],
    ['1.', /expected a digit after "."/],
  ])('rejects %j with the byte offset', (text, message) => {
    expect(() => parse(text)).toThrow(DataError);
    expect(() => parse(text)).toThrow(message);
    expect(() => parse(text)).toThrow(/^f\.json: not valid JSON \(byte \d+/);
  });
});

describe('JsonScanner.numberListInto', () => {
  const read = (text: string) => {
    const s = new JsonScanner(Buffer.from(text), 'f.json');
    const pool = new FloatPool();
    const ok = s.numberListInto(pool);
    return { ok, values: Array.from(pool.data.subarray(0, pool.length)), rest: text.slice(s.pos) };
  };

  it('reads numbers exactly as JSON.parse does, in any spacing', () => {
    const text = '[ 211.42, -0.5,1e3 ,0, 12345678901234567 , -0 ,354.0 ]';
    const { ok, values, rest } = read(`${text} tail`);
    expect(ok).toBe(true);
    expect(rest).toBe(' tail');
    values.forEach((v, i) => expect(Object.is(v, (JSON.parse(text) as number[])[i])).toBe(true));
    expect(read('[]')).toEqual({ ok: true, values: [], rest: '' });
    expect(read('[ ]x')).toEqual({ ok: true, values: [], rest: 'x' });
  });

  it('skips the whole list and says so when an element is not a number', () => {
    expect(read('[1, "two", [3]], 4')).toMatchObject({ ok: false, rest: ', 4' });
  });

  it('rejects broken lists with the byte offset', () => {
    expect(() => read('[1 2]')).toThrow(/byte 3: expected "," or "\]"/);
    expect(() => read('[1.]')).toThrow(/expected a digit after "."/);
  });
});
