// Live emotion: model.stream() (push PCM, get segments) and model.createStream() (a Node Transform).
// The methods are attached to EmotionModel here, from the layer above it, so lib/model/ never
// depends on lib/stream/ (as better-sqlite3 attaches lib/methods/* to its Database).
import { EmotionModel } from '../model/model';
import { EmotionStream, StreamOptions } from './emotion-stream';
import { CreateStreamOptions, EmotionTransform } from './transform';

export { EmotionStream, toFloat } from './emotion-stream';
export type { StreamOptions, StreamSegment, PcmChunk } from './emotion-stream';
export { EmotionTransform, decodePcm } from './transform';
export type { CreateStreamOptions, PcmFormat } from './transform';

declare module '../model/model' {
  interface EmotionModel {
    /** A live stream: push(samples, sampleRate), segments as 'segment' events or by `for await`. */
    stream(options?: StreamOptions): EmotionStream;
    /** A Transform: PCM bytes in (options.sampleRate, options.format), StreamSegment objects out. */
    createStream(options: CreateStreamOptions): EmotionTransform;
  }
}

EmotionModel.prototype.stream = function stream(this: EmotionModel, options: StreamOptions = {}): EmotionStream {
  return new EmotionStream(this, options);
};

EmotionModel.prototype.createStream = function createStream(this: EmotionModel, options: CreateStreamOptions): EmotionTransform {
  return new EmotionTransform(this, options);
};
