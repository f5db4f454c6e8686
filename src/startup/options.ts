/**
 * Parsing and checking the command's options, before anything is loaded: a bad option
 * should cost a user a second, not a data load followed by a crash.
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';

/** A problem with how the command was called: printed as one line, without a stack. */
export class UsageError extends Error {}

function wholeNumber(value: string, min: number, max: number, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`expected ${what}, got "${value}"`);
  }
  return n;
}

export const parsePort = (value: string): number => wholeNumber(value, 0, 65535, 'a port from 0 (any free one) to 65535');
export const parsePositive = (value: string): number => wholeNumber(value, 1, Number.MAX_SAFE_INTEGER, 'a whole number ≥ 1');
export const parseNonNegative = (value: string): number => wholeNumber(value, 0, Number.MAX_SAFE_INTEGER, 'a whole number ≥ 0');
/** How many server processes: a number ≥ 1, or "auto" for one per core. */
export const parseWorkers = (value: string): number => (value === 'auto' ? availableParallelism() : wholeNumber(value, 1, 256, 'a number of workers ≥ 1, or "auto"'));

/** $PORT when set (checked like --port), else 4000. */
export function defaultPort(env: NodeJS.ProcessEnv = process.env): number {
  if (!env.PORT) return 4000;
  try {
    return parsePort(env.PORT);
  } catch (e) {
    throw new UsageError(`PORT: ${(e as Error).message}`);
  }
}
