/**
 * Opening data and cache files for reading, refusing anything but a regular file: a FIFO
 * in place of instances.json or a cache file would block start-up forever (open waits
 * for a writer, read for data), and a directory gives an EISDIR that names no file.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { DataError } from '../errors';

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
}

/** An open descriptor on a regular file, and its stats; `label` names it in errors. */
export function openRegularFile(path: string, label = path): { fd: number; stat: Stats } {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; it
    // changes nothing for a regular file.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw Object.assign(new DataError(`${label}: cannot open: ${(e as Error).message}`), { code: (e as NodeJS.ErrnoException).code });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new DataError(`${label}: is ${kindOf(stat)}, not a regular file`);
    return { fd, stat };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The whole of a regular file. */
export function readRegularFile(path: string, label = path): Buffer {
  const { fd } = openRegularFile(path, label);
  try {
    return readFileSync(fd);
  } catch (e) {
    throw new DataError(`${label}: cannot read: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
