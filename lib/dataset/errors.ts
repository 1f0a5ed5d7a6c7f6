import { SerNativeError } from '../errors';

/**
 * A problem with the user's data or arguments (missing folder, bad manifest, unknown speaker):
 * `ERR_DATA`, so callers can branch on it; the CLI prints the message and exits 1.
 */
export class DatasetError extends SerNativeError {
  constructor(message: string) {
    super('ERR_DATA', message);
    this.name = 'DatasetError';
  }
}
