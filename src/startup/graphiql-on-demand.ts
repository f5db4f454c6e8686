/**
 * GraphiQL's page, required when a browser first asks for it: the package is a 9 MB
 * string that costs ~90 ms to load, and most servers never serve it.
 */
import type { GraphiQLOptions } from 'graphql-yoga';

type RenderGraphiQLModule = typeof import('@graphql-yoga/render-graphiql');

export function renderGraphiQLOnDemand(options?: GraphiQLOptions): string {
  return (require('@graphql-yoga/render-graphiql') as RenderGraphiQLModule).renderGraphiQL(options);
}
