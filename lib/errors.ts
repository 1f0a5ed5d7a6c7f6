/** Errors raised by ser-native carry a stable `code` so callers can branch on them. */
export type SerNativeErrorCode =
  | 'ERR_TORCH' // LibTorch raised (c10::Error or std::exception) inside the addon
  | 'ERR_CANCELLED' // an AbortSignal stopped the work
  | 'ERR_LIBTORCH_NOT_FOUND'
  | 'ERR_LIBTORCH_VERSION'
  | 'ERR_NO_BINARY'
  | 'ERR_DEVICE'
  | 'ERR_DATA'
  | 'ERR_MODEL';

export class SerNativeError extends Error {
  readonly code: SerNativeErrorCode;
  constructor(code: SerNativeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SerNativeError';
    this.code = code;
  }
}

/**
 * Calls into the addon and re-throws what it raises with this call site's stack (sharp's
 * nativeError): a native TypeError stays a TypeError, anything else becomes SerNativeError ERR_TORCH.
 */
export function callNative<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromNative(e);
  }
}

export function fromNative(e: unknown): Error {
  if (e instanceof SerNativeError) return e;
  if (e instanceof TypeError) return new TypeError(e.message);
  const message = e instanceof Error ? e.message : String(e);
  const code: SerNativeErrorCode = /^cancelled/.test(message) ? 'ERR_CANCELLED' : /device '.*'/.test(message) ? 'ERR_DEVICE' : 'ERR_TORCH';
  return new SerNativeError(code, message, { cause: e });
}
