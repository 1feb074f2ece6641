import { UserInputError } from '../errors.js';

/**
 * A store object that cannot be trusted (foreign, corrupt, unknown schema version) or a store
 * location that cannot be written: exit 2, naming the object, and nothing is overwritten.
 */
export class StoreError extends UserInputError {
  override name = 'StoreError';
  constructor(
    readonly location: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${location}: ${detail}`, options);
  }
}

/**
 * An object shorter than its status says (or without a Parquet footer): an interrupted write or
 * copy. The day is treated as missing and read again, with a warning.
 */
export class TruncatedObjectError extends Error {
  override name = 'TruncatedObjectError';
  constructor(
    readonly location: string,
    detail: string,
  ) {
    super(`${location}: ${detail}`);
  }
}
