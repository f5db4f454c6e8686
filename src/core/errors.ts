/**
 * A problem with the data a user pointed us at (a file, a record in it, or a query
 * about it). The message names the file or dataset, the record and what was expected,
 * so it can be shown to the user as is; anything else thrown is a bug of ours.
 */
export class DataError extends Error {
  override name = 'DataError';
}

/** An argument that names something that does not exist (dataset, split, id). */
export class NotFoundError extends DataError {
  override name = 'NotFoundError';
}

/**
 * A lazily read section of a compiled index no longer belongs to the build the rest of
 * the loaded index came from (the cache was rewritten under a running server). The
 * request that hit it fails with this error; the pair must be reloaded as a whole.
 */
export class StaleIndexError extends DataError {
  override name = 'StaleIndexError';
}
