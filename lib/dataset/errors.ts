import { SerNativeError } from '../errors';

/**
 * A problem with the user's data (missing folder, bad manifest, unknown speaker): `ERR_DATA`, and the
 * CLI exits 1; or with a data option as typed (a --split or --label-map that does not parse, an unknown
 * corpus): `ERR_ARGUMENT`, and the CLI exits 2.
 */
export class DatasetError extends SerNativeError {
  constructor(message: string, code: 'ERR_DATA' | 'ERR_ARGUMENT' = 'ERR_DATA') {
    super(code, message);
    this.name = 'DatasetError';
  }
}
