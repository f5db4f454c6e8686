/**
 * `refer-graphql serve` in a process of its own (the CLI bundle test/global-setup.js
 * built), on a free port of 127.0.0.1, for tests whose client lives outside Jest: a
 * browser, the Python client, or renders (fast-png is an ES module that Jest's runtime
 * cannot load before Node 24.9).
 */
import { spawn } from 'node:child_process';
import { CLI } from './cli-command';

export interface ServeProcess {
  url: string;
  /** SIGTERM, as a user's Ctrl-C or an orchestrator stops it; resolves when it has exited. */
  stop(): Promise<void>;
}

export function startServeProcess(dataRoot: string, ...args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--data-root', dataRoot, '--no-cache', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, REFER_DATA_ROOT: '', REFER_CACHE_DIR: '', PORT: '' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    const onOut = (chunk: Buffer) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      // The request log goes on; the pipe is read (and dropped) so that it never fills.
      child.stdout.off('data', onOut);
      child.stdout.resume();
      resolve({ url: (JSON.parse(line) as { url: string }).url, stop });
    };
    child.stdout.on('data', onOut);
    child.once('exit', (code) => reject(new Error(`refer-graphql serve exited (${code}) before listening:\n${err}`)));
  });
}
