/**
 * Protocol-0 pickle numbers, parsed as CPython's unpickler (_pickle.c) parses them, so a
 * file Python refuses is refused here too and one it reads gives the same value:
 * INT is C's strtol(base 0), falling back to int(text, 0); LONG is int(text, 0) after
 * one trailing "L"; FLOAT is PyOS_string_to_double (no white space, no "_"). Binary
 * LONG1/LONG4 are decoded in time linear in their length.
 */

/** Thrown for text Python would refuse; the pickle reader adds file and offset. */
export class NumberSyntaxError extends Error {}

/** CPython refuses decimal integers longer than this (sys.int_info.default_max_str_digits). */
export const MAX_DECIMAL_DIGITS = 4300;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function small(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Python's int(text, 0): white space around, a sign, then 0x/0o/0b digits or a decimal
 * without leading zeros, "_" allowed between digits. */
export function parsePythonIntLiteral(text: string): number | bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?[0-9])*)[ \t\n\v\f\r]*$/.exec(text);
  if (!m) throw new NumberSyntaxError(`"${text}" is not an integer (Python's int() refuses it)`);
  const digits = m[2].replaceAll('_', '');
  const decimal = !/^0[xXoObB]/.test(digits);
  if (decimal && digits.length > MAX_DECIMAL_DIGITS) {
    throw new NumberSyntaxError(`an integer of ${digits.length} decimal digits is longer than Python's limit of ${MAX_DECIMAL_DIGITS}`);
  }
  const value = BigInt(digits.length > 2 && !decimal ? `0${digits[1].toLowerCase()}${digits.slice(2)}` : digits);
  return small(m[1] === '-' ? -value : value);
}

/** C's strtol(text, &end, 0) when it reads the whole text into a 64-bit long; else null. */
function strtol(text: string): bigint | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m || m[2].length > 64) return null;
  const body = m[2];
  const value = /^0[xX]/.test(body) ? BigInt(body) : body.length > 1 && body[0] === '0' ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  const signed = m[1] === '-' ? -value : value;
  return signed >= INT64_MIN && signed <= INT64_MAX ? signed : null;
}

/** A protocol-0 INT argument: a bool when the line is two characters and reads as 0 or 1
 * (Python's "00"/"01" test is on the length only). */
export function parsePickleInt(text: string): number | bigint | boolean {
  const value = strtol(text);
  if (value === null) return parsePythonIntLiteral(text);
  if (text.length === 2 && (value === 0n || value === 1n)) return value === 1n;
  return small(value);
}

/** A protocol-0 LONG argument (Python 2 writes "123L"). */
export function parsePickleLong(text: string): number | bigint {
  return parsePythonIntLiteral(text.endsWith('L') ? text.slice(0, -1) : text);
}

/** A protocol-0 FLOAT argument, read as PyOS_string_to_double reads it. */
export function parsePickleFloat(text: string): number {
  const m = /^([+-]?)(?:((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)|(inf|infinity)|(nan))$/i.exec(text);
  if (!m) throw new NumberSyntaxError(`"${text}" is not a float (Python's unpickler refuses it)`);
  const sign = m[1] === '-' ? -1 : 1;
  if (m[3]) return sign * Infinity;
  if (m[4]) return NaN;
  const value = Number(m[2]);
  if (!Number.isFinite(value)) throw new NumberSyntaxError(`float "${text}" is out of range`);
  return sign * value;
}

/** A LONG1/LONG4 argument: little-endian two's complement, via one hex string (linear;
 * a shift-and-or per byte made a 256 KB integer take a minute). */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  const hex = Buffer.from(bytes).reverse().toString('hex');
  let value = BigInt(`0x${hex}`);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return small(value);
}
