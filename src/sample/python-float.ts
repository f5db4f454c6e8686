/**
 * Python's `repr(float)`, which is how `json.dump` and protocol-0 pickles print floats.
 *
 * JavaScript and Python both print the shortest digits that round-trip, so only the
 * dressing differs: Python always shows a fraction or an exponent (`354.0`), switches to
 * exponent notation below 1e-4 and from 1e16 up (JavaScript: 1e-7 and 1e21), and pads
 * the exponent to two digits (`5e-05`).
 */
export function formatPythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const text = String(x);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = x.toExponential().split('e');
  const sign = exponent[0] === '-' ? '-' : '+';
  return `${mantissa}e${sign}${exponent.slice(1).padStart(2, '0')}`;
}
