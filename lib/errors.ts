/**
 * Errors raised by ser-native carry a stable `code` so callers can branch on them. The addon
 * raises them too: lib/binding.ts hands this class to it once (`initialize`), and the C++ side
 * sets the code where the failure happens (native/common.h `CodedError`); a bad argument is a
 * TypeError with code ERR_ARGUMENT, in JS (lib/is.ts) and in C++ alike.
 */
export type SerNativeErrorCode =
  | 'ERR_TORCH' // LibTorch raised (c10::Error or std::exception) inside the addon
  | 'ERR_CANCELLED' // an AbortSignal stopped the work
  | 'ERR_BUSY' // a model was used while an epoch or a prediction ran on it
  | 'ERR_LIBTORCH_NOT_FOUND'
  | 'ERR_LIBTORCH_VERSION'
  | 'ERR_NO_BINARY'
  | 'ERR_DEVICE'
  | 'ERR_DATA'
  | 'ERR_MODEL'
  | 'ERR_LIMIT' // an input is larger (or a rate more extreme) than a documented limit (lib/limits.ts)
  | 'ERR_AUDIO' // audio that decodes but cannot be used (e.g. no samples, a rate pair that cannot be resampled)
  | 'ERR_LOCKED' // another live run holds the output folder's lock (lib/lock.ts)
  | 'ERR_DEPENDENCY'; // an optional dependency (bullmq, ioredis) is not installed

export class SerNativeError extends Error {
  readonly code: SerNativeErrorCode;
  constructor(code: SerNativeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SerNativeError';
    this.code = code;
  }
}
