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
