/**
 * Named errors. A `UserInputError` (bad snapshot, bad config, bad flag) exits 2 with its message
 * and no stack trace; anything else exits 1. Every error names the place it came from.
 */

export class LmiAdvisorError extends Error {
  override name = 'LmiAdvisorError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad input the user can fix: exit code 2. */
export class UserInputError extends LmiAdvisorError {
  override name = 'UserInputError';
}

/**
 * A snapshot line that fails validation; `line` is 1-based, `field` a dotted path. Line 0 means
 * the file as a whole (missing, a directory): the message then names the file alone.
 */
export class SnapshotError extends UserInputError {
  override name = 'SnapshotError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string | null,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line > 0 ? `:${line}` : ''}${field ? ` field ${field}` : ''}: ${detail}`, options);
  }
}

/** A config file that fails validation; `key` is the dotted config key. */
export class ConfigError extends UserInputError {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly key: string | null,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${key ? `: ${key}` : ''}: ${detail}`, options);
  }
}

/** Price List items that cannot be understood. */
export class PriceBookError extends LmiAdvisorError {
  override name = 'PriceBookError';
}

/** An AWS API call failed (region and API named). */
export class AwsSourceError extends LmiAdvisorError {
  override name = 'AwsSourceError';
  constructor(
    readonly region: string,
    readonly api: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${region} ${api}: ${message}`, options);
  }
}

/**
 * A computed figure came out non-finite (NaN or infinite). Inputs are bounded by the snapshot
 * schema, so this is a bug: it names the function and the figure instead of writing a bad report.
 */
export class NonFiniteFigureError extends LmiAdvisorError {
  override name = 'NonFiniteFigureError';
  constructor(
    readonly where: string,
    readonly figure: string,
    readonly value: number,
  ) {
    super(`${where}: computed ${figure} is ${String(value)}, not a finite number`);
  }
}

/** A publisher (dir, S3, Slack, email) failed. */
export class PublishError extends LmiAdvisorError {
  override name = 'PublishError';
  constructor(
    readonly channel: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${channel}: ${message}`, options);
  }
}

export function exitCodeFor(error: unknown): number {
  return error instanceof UserInputError ? 2 : 1;
}
