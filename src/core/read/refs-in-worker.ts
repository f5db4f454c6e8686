/**
 * The main-thread side of parsing a refs pickle in a worker thread (refs-worker.ts), so
 * that it overlaps with reading instances.json on the other core.
 */
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { DataError } from '../errors';
import { readRegularFile } from './regular-file';
import { parseRefs, type ParsedRefs } from './refs';

/** Below this size of instances.json a worker's start-up costs more than it saves. */
export const WORKER_MIN_INSTANCES_BYTES = 16 << 20;
/** How long to wait for a refs worker before parsing on this thread instead. */
const WORKER_PATIENCE_MS = 120_000;

export interface PendingRefs {
  /** Waits for the worker's columns (or parses here if the worker failed). */
  result(): ParsedRefs;
  /** Stops a worker whose result turned out not to be needed. */
  cancel(): void;
}

/**
 * Starts parsing a refs pickle in a worker thread. `result()` waits for it synchronously,
 * so loading stays one synchronous call. A worker that dies without answering is not
 * waited on forever: after WORKER_PATIENCE_MS, or on any failure of the worker itself
 * (not of the data), the file is parsed on this thread.
 */
export function parseRefsInWorker(path: string, label: string): PendingRefs {
  const parseHere = () => parseRefs(readRegularFile(path, label), label);
  const fromSource = __filename.endsWith('.ts'); // under ts-jest / ts-node
  let worker: Worker;
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    worker = new Worker(join(__dirname, `refs-worker.${fromSource ? 'ts' : 'js'}`), {
      workerData: { path, label, signal, port: port2 },
      transferList: [port2],
      execArgv: fromSource ? ['-r', 'ts-node/register/transpile-only'] : [],
    });
    worker.unref();
  } catch {
    return { result: parseHere, cancel: () => {} };
  }
  const cancel = () => {
    port1.close();
    void worker.terminate();
  };
  const result = () => {
    const answered = Atomics.wait(signal, 0, 0, WORKER_PATIENCE_MS) !== 'timed-out' || Atomics.load(signal, 0) === 1;
    const message = answered ? (receiveMessageOnPort(port1)?.message as { ok: boolean; parsed: ParsedRefs; message: string; dataError: boolean; code?: string } | undefined) : undefined;
    cancel();
    if (!message) return parseHere();
    if (message.ok) return message.parsed;
    if (message.dataError) throw new DataError(message.message);
    if (message.code) throw Object.assign(new Error(message.message), { code: message.code });
    return parseHere(); // the worker itself failed (not the data): try here
  };
  return { result, cancel };
}
