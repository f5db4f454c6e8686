/**
 * A JSON array read as it streams in, one element at a time: each chunk is scanned for
 * element boundaries (outside strings, at nesting depth 0) and each complete element goes
 * through JSON.parse alone. A 256 MB upload is so parsed in small steps between which
 * the event loop runs, and it never exists as one string.
 */
import { DataError } from '../core/errors';

const enum State {
  /** Before the opening '['. */
  Start,
  /** After '[' or ',': an element (or, after '[', the closing ']') comes next. */
  Element,
  /** After an element: ',' or ']' comes next. */
  Separator,
  /** After the closing ']'. */
  Done,
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export class JsonArrayStream {
  private state = State.Start;
  private text = '';
  /** Scan position in `text`; an element in progress starts at `elementStart`. */
  private pos = 0;
  private elementStart = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private count = 0;
  /** Characters dropped from the front of `text`, for error offsets. */
  private dropped = 0;

  constructor(
    private readonly source: string,
    private readonly onElement: (value: unknown, index: number) => void,
  ) {}

  get elements(): number {
    return this.count;
  }

  private fail(problem: string): never {
    throw new DataError(`${this.source}: not a JSON array of predictions: ${problem} at character ${this.dropped + this.pos}`);
  }

  private emit(end: number): void {
    const raw = this.text.slice(this.elementStart, end);
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      throw new DataError(`${this.source}: prediction ${this.count} is not valid JSON (${(e as Error).message})`);
    }
    this.onElement(value, this.count++);
    this.elementStart = -1;
    this.state = State.Separator;
  }

  push(chunk: string): void {
    this.text += chunk;
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (this.elementStart >= 0) {
        this.pos++;
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 0x5c) this.escaped = true;
          else if (c === 0x22) {
            this.inString = false;
            if (this.depth === 0) this.emit(this.pos);
          }
        } else if (this.depth === 0) {
          // A number or literal ends at the first character that cannot belong to it.
          if (c === 0x2c || c === 0x5d || isSpace(c)) {
            this.pos--;
            this.emit(this.pos);
          }
        } else if (c === 0x22) this.inString = true;
        else if (c === 0x7b || c === 0x5b) this.depth++;
        else if ((c === 0x7d || c === 0x5d) && --this.depth === 0) this.emit(this.pos);
        continue;
      }
      this.pos++;
      if (isSpace(c)) continue;
      const found = JSON.stringify(t[this.pos - 1]);
      switch (this.state) {
        case State.Start:
          if (c !== 0x5b) this.fail(`expected '[', found ${found}`);
          this.state = State.Element;
          break;
        case State.Element:
          if (c === 0x5d && this.count === 0) {
            this.state = State.Done;
            break;
          }
          if (c === 0x2c || c === 0x5d) this.fail(`expected a prediction, found ${found}`);
          this.elementStart = this.pos - 1;
          this.depth = c === 0x7b || c === 0x5b ? 1 : 0;
          this.inString = c === 0x22;
          break;
        case State.Separator:
          if (c === 0x2c) this.state = State.Element;
          else if (c === 0x5d) this.state = State.Done;
          else this.fail(`expected ',' or ']', found ${found}`);
          break;
        case State.Done:
          this.fail(`unexpected ${found} after the closing ']'`);
      }
    }
    // Keep only the element in progress.
    const keep = this.elementStart >= 0 ? this.elementStart : this.pos;
    this.dropped += keep;
    this.text = this.text.slice(keep);
    this.pos -= keep;
    if (this.elementStart >= 0) this.elementStart = 0;
  }

  end(): void {
    if (this.state !== State.Done) {
      if (this.state === State.Start) throw new DataError(`${this.source}: empty body: expected a JSON array of predictions`);
      throw new DataError(`${this.source}: not a JSON array of predictions: the body ends before the closing ']' (after ${this.count} predictions)`);
    }
  }
}
