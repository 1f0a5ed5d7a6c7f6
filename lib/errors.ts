/**
 * Errors raised by ser-native carry a stable `code` so callers can branch on them, set where the
 * failure is known (never guessed later from the message). The addon raises them too: lib/binding.ts
 * hands this class to it once (`initialize`), and the C++ side sets the code where the failure happens
 * (native/common.h `CodedError`). A bad argument is a TypeError or RangeError with code ERR_ARGUMENT,
 * in JS (lib/is.ts) and in C++ alike; every other error a user can cause is a SerNativeError (or a
 * subclass: WavError, DatasetError, ScheduleError) with one of the codes below. An error without one of
 * these codes is a bug of ser-native (the CLI reports it as ERR_UNEXPECTED).
 */
export const SER_NATIVE_ERROR_CODES = [
  'ERR_ARGUMENT', // a bad argument, option or config value (lib/is.ts; TypeError/RangeError, or a ScheduleError); nothing was run
  'ERR_TORCH', // LibTorch raised (c10::Error or std::exception) inside the addon
  'ERR_CANCELLED', // an AbortSignal stopped the work
  'ERR_BUSY', // a model was used while an epoch or a prediction ran on it
  'ERR_LIBTORCH_NOT_FOUND', // no LibTorch, and installing it failed (or is turned off)
  'ERR_LIBTORCH_VERSION', // LibTorch found, but not the version the addon was built with
  'ERR_NO_BINARY', // no native addon for this platform, or it does not load
  'ERR_DEVICE', // a device LibTorch cannot use (e.g. cuda on a machine without it)
  'ERR_DATA', // input data that cannot be used: a missing or unreadable file or folder, not a WAV file, no recordings, a damaged run file
  'ERR_MODEL', // a model bundle that cannot be used: missing, malformed, or weights that do not fit
  'ERR_LIMIT', // an input is larger (or a rate more extreme) than a documented limit (lib/limits.ts)
  'ERR_AUDIO', // audio that decodes but cannot be used (e.g. no samples, a rate pair that cannot be resampled)
  'ERR_LOCKED', // another live run holds the output folder's lock (lib/lock.ts)
  'ERR_DEPENDENCY', // an optional dependency (bullmq, ioredis) is not installed
  'ERR_IO', // an output cannot be written or a service cannot be reached: a file or folder (permissions, disk full), a port (in use), Redis
  'ERR_STATE', // an API call out of order: push() after end(), tell() without ask(), ask() after the last iteration
] as const;

export type SerNativeErrorCode = (typeof SER_NATIVE_ERROR_CODES)[number];

/** True for the codes above: an error a user can cause, reported as such (not as a bug). */
export function isSerNativeErrorCode(code: unknown): code is SerNativeErrorCode {
  return typeof code === 'string' && (SER_NATIVE_ERROR_CODES as readonly string[]).includes(code);
}

export class SerNativeError extends Error {
  readonly code: SerNativeErrorCode;
  constructor(code: SerNativeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SerNativeError';
    this.code = code;
  }
}
