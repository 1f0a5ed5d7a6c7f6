// Resource limits: every size an input can declare (a WAV header, a bundle's model.json, a predict
// buffer) is checked against these before anything is allocated, and a violation is a
// SerNativeError with code ERR_LIMIT naming the input, the field, the limit and how to raise it
// where raising it is legitimate. README.md "Limits" lists them.
import { SerNativeError } from './errors';

/** WAV sample rates outside this range are refused: no real recording uses them, and 1 Hz data upsampled to 16 kHz is 16,000x larger. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768000;

/** Upper bounds on a model's declared sizes (native/model.cc); far above any useful SER model, far below an allocation failure. */
export const MODEL_LIMITS = Object.freeze({
  channels: 4096,
  lstmHidden: 4096,
  lstmLayers: 16,
  labels: 1000,
  nMels: 1024,
  nFft: 65536,
  hopLength: 65536,
  /** Parameters of one network (float32 values in weights.bin): 2^28 = 1 GiB. */
  parameters: 1 << 28,
});

/** Default longest input of predict()/predictBatch(), seconds; longer audio goes through timeline(). */
export const DEFAULT_PREDICT_SECONDS = 600;

/** SER_NATIVE_MAX_SECONDS overrides DEFAULT_PREDICT_SECONDS (a positive number of seconds). */
export function predictSecondsLimit(): number {
  const env = process.env.SER_NATIVE_MAX_SECONDS;
  if (env === undefined || env === '') return DEFAULT_PREDICT_SECONDS;
  const n = Number(env);
  if (!Number.isFinite(n) || n <= 0) throw new SerNativeError('ERR_LIMIT', `SER_NATIVE_MAX_SECONDS must be a positive number of seconds, got '${env}'`);
  return n;
}

/** The ERR_LIMIT error: "<what> is <value>; the limit is <limit>[; <how to raise it>]". */
export function limitError(what: string, value: string, limit: string, raise?: string): SerNativeError {
  return new SerNativeError('ERR_LIMIT', `${what} is ${value}; the limit is ${limit}${raise ? `; ${raise}` : ''}`);
}
