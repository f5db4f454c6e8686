/**
 * Relay connections over row lists. Pages are offset windows of the full, ordered row
 * list (rows are small integers, so the list is cheap; objects are made for one page
 * only). Page sizes above the limit are refused rather than silently clamped, so a
 * client never mistakes a short page for the end of the data.
 */
import { type DefaultConnectionArguments, resolveOffsetConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import type { Context } from './context';

/** Complexity of a connection field: its page size multiplies what it selects. */
export function connectionComplexity(args: DefaultConnectionArguments, ctx: Context) {
  const size = args.first ?? args.last ?? ctx.limits.defaultPageSize;
  // Oversized pages are refused by the resolver with a clearer error than a cost error.
  return { field: 1, multiplier: Math.max(0, Math.min(size, ctx.limits.maxPageSize)) };
}

export function checkPageSize(args: DefaultConnectionArguments, ctx: Context): void {
  const { maxPageSize } = ctx.limits;
  for (const name of ['first', 'last'] as const) {
    const size = args[name];
    if (size != null && size > maxPageSize) {
      throw new GraphQLError(`${name}: ${size} is more than the page size limit of ${maxPageSize}; page with \`after\`/\`before\` instead`, {
        extensions: { code: 'PAGE_SIZE_EXCEEDED', maxPageSize },
      });
    }
  }
}

/**
 * One page of `rows`, or of rows 0 .. rows-1 when given a count (an unfiltered table:
 * no need to build a list of 50,000 rows to show 20 of them).
 */
export function pageOf<T>(rows: ArrayLike<number> | number, args: DefaultConnectionArguments, ctx: Context, toModel: (row: number) => T) {
  checkPageSize(args, ctx);
  const count = typeof rows === 'number' ? rows : rows.length;
  return resolveOffsetConnection({ args, totalCount: count, defaultSize: ctx.limits.defaultPageSize, maxSize: ctx.limits.maxPageSize }, ({ offset, limit }) => {
    const page: T[] = [];
    for (let i = offset; i < Math.min(count, offset + limit); i++) page.push(toModel(typeof rows === 'number' ? i : rows[i]));
    return page;
  });
}
