/**
 * RAVDESS: `MM-VV-EE-II-SS-RR-AA.wav` (modality, vocal channel, emotion, intensity, statement,
 * repetition, actor), usually under `Actor_NN/` but found anywhere below the input folder.
 * Only audio-only files (modality 03) are used; speech and song are both indexed here and the
 * vocal-channel filter of `indexDataset` (default: speech only) decides which are kept.
 * Odd actors are male, even actors female. Speakers are `ravdess:NN`.
 */
import type { Emotion } from '../emotions';
import type { FileParser, Intensity, ParseOutcome, VocalChannel } from '../types';

const NAME = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$/;

const MODALITY: Record<string, string> = { '01': 'full audio-video', '02': 'video-only', '03': 'audio-only' };
const CHANNEL: Record<string, VocalChannel> = { '01': 'speech', '02': 'song' };
const EMOTION: Record<string, Emotion> = {
  '01': 'neutral',
  '02': 'calm',
  '03': 'happy',
  '04': 'sad',
  '05': 'angry',
  '06': 'fearful',
  '07': 'disgust',
  '08': 'surprised',
};
const INTENSITY: Record<string, Intensity> = { '01': 'normal', '02': 'strong' };
const STATEMENT: Record<string, string> = { '01': 'Kids are talking by the door', '02': 'Dogs are sitting by the door' };

export const ravdessParser: FileParser = {
  corpus: 'ravdess',
  pattern: 'MM-VV-EE-II-SS-RR-AA.wav (e.g. 03-01-05-02-01-01-12.wav)',
  parse(file): ParseOutcome | null {
    const m = NAME.exec(file.stem);
    if (!m) return null;
    const [, modality, channel, emotion, intensity, statement, , actor] = m;
    if (modality !== '03') {
      const what = MODALITY[modality] ?? `unknown modality ${modality}`;
      return { skip: `RAVDESS modality ${modality} (${what}) is not audio-only (03)` };
    }
    const vocalChannel = CHANNEL[channel];
    if (!vocalChannel) return { skip: `RAVDESS vocal channel ${channel} is neither 01 (speech) nor 02 (song)` };
    const label = EMOTION[emotion];
    if (!label) return { skip: `RAVDESS emotion code ${emotion} is not 01-08` };
    const level = INTENSITY[intensity];
    if (!level) return { skip: `RAVDESS intensity ${intensity} is neither 01 (normal) nor 02 (strong)` };
    const text = STATEMENT[statement];
    if (!text) return { skip: `RAVDESS statement ${statement} is neither 01 nor 02` };
    const n = Number(actor);
    if (n === 0) return { skip: 'RAVDESS actor 00 does not exist (actors are 01-24)' };
    return {
      item: {
        path: file.path,
        corpus: 'ravdess',
        speaker: `ravdess:${actor}`,
        gender: n % 2 === 1 ? 'male' : 'female',
        label,
        intensity: level,
        text,
        vocalChannel,
      },
    };
  },
};
