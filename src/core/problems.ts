/**
 * Record-level problems found while reading a data file. A bad record is skipped and
 * counted here instead of failing the whole dataset; the counts travel with the loaded
 * index (and its cache) so that a dataset with skipped records never passes for whole.
 */
export interface LoadWarning {
  file: string;
  problem: string;
  count: number;
  /** The first few records that had the problem, e.g. `annotations[12] (id 5)`. */
  examples: string[];
}

const MAX_EXAMPLES = 3;

export class Problems {
  private readonly byKey = new Map<string, LoadWarning>();

  constructor(private readonly file: string) {}

  add(problem: string, record: string): void {
    let w = this.byKey.get(problem);
    if (!w) {
      w = { file: this.file, problem, count: 0, examples: [] };
      this.byKey.set(problem, w);
    }
    w.count++;
    if (w.examples.length < MAX_EXAMPLES) w.examples.push(record);
  }

  list(): LoadWarning[] {
    return [...this.byKey.values()];
  }
}

export function formatWarning(w: LoadWarning): string {
  const more = w.count > w.examples.length ? `, …` : '';
  return `${w.file}: ${w.count} record(s) skipped: ${w.problem} (${w.examples.join(', ')}${more})`;
}
