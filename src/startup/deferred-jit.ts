/**
 * graphql-jit, loaded after the server has answered its first request.
 *
 * Requiring graphql-jit costs ~35 ms on a quiet machine (it brings fast-json-stringify and
 * ajv), a seventh of the start-up budget. Until it is loaded, operations run on graphql-js,
 * which gives the same answers; from then on they are compiled, as with useGraphQlJit.
 */
import type { Plugin } from 'graphql-yoga';

type JitModule = typeof import('@envelop/graphql-jit');

export interface DeferredJit {
  plugin: Plugin;
  /** Loads graphql-jit now (idempotent); the plugin uses it from the next operation on. */
  load(): void;
}

export function deferredGraphQlJit(): DeferredJit {
  let jit: ReturnType<JitModule['useGraphQlJit']> | undefined;
  let scheduled = false;
  const load = () => {
    jit ??= (require('@envelop/graphql-jit') as JitModule).useGraphQlJit();
  };
  return {
    load,
    plugin: {
      onExecute(payload) {
        return jit?.onExecute?.(payload);
      },
      onResponse() {
        if (jit || scheduled) return;
        scheduled = true;
        // After this response is written, not before it.
        setImmediate(load);
      },
    },
  };
}
