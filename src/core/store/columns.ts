/**
 * A column of strings kept as one string and the end offset of each entry. Millions of
 * small strings cost ~40 bytes each in V8 and dominate load time when deserialised one
 * by one; one joined string loads in a single decode and is sliced on access.
 */
export interface StringColumn {
  text: string;
  /** Entry i is text.slice(end[i - 1] ?? 0, end[i]). */
  end: Uint32Array;
}

export function stringAt(column: StringColumn, i: number): string {
  return column.text.slice(i === 0 ? 0 : column.end[i - 1], column.end[i]);
}

export function stringColumn(values: readonly string[]): StringColumn {
  const end = new Uint32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    at += v.length;
    end[i] = at;
  });
  return { text: values.join(''), end };
}
