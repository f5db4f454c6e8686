/**
 * Worker-thread entry: parses one refs pickle (parseRefs) while the main thread reads
 * instances.json, and hands the columns back (see parseRefsInWorker). Whatever happens,
 * it raises the signal last, so the waiting thread never waits on a silent worker.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { DataError } from '../errors';
import { readRegularFile } from './regular-file';
import { parseRefs } from './refs';

const { path, label, signal, port } = workerData as { path: string; label: string; signal: Int32Array; port: MessagePort };
try {
  const parsed = parseRefs(readRegularFile(path, label), label);
  const buffers = Object.values(parsed)
    .flatMap((v) => (ArrayBuffer.isView(v) ? [v] : v && typeof v === 'object' && 'end' in v ? [(v as { end: Uint32Array }).end] : []))
    .map((v) => v.buffer as ArrayBuffer);
  port.postMessage({ ok: true, parsed }, [...new Set(buffers)]);
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  port.postMessage({ ok: false, message: err.message, dataError: e instanceof DataError, code: err.code });
} finally {
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
