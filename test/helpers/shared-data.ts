// ../shared/data (real RAVDESS/SAVEE clips, see its README.md): tests that need it skip with a message when it is missing.
import * as fs from 'fs';
import * as path from 'path';

export const SHARED_DATA = path.resolve(__dirname, '..', '..', '..', 'shared', 'data');
export const HAVE_SHARED_DATA = fs.existsSync(path.join(SHARED_DATA, 'ravdess')) && fs.existsSync(path.join(SHARED_DATA, 'savee'));

/** `describe`, or `describe.skip` with a console message naming what is missing. */
export function describeWithSharedData(what: string): jest.Describe {
  if (HAVE_SHARED_DATA) return describe;
  console.warn(`Skipping ${what}: ${SHARED_DATA} (ravdess/, savee/) is not on this machine.`);
  return describe.skip;
}

/** A few real clips across corpora, rates and sexes (actor 01 is the 48 kHz original, SAVEE DC 44.1 kHz). */
export const SAMPLE_CLIPS = [
  'ravdess/Actor_01/03-01-05-02-01-01-01.wav',
  'ravdess/Actor_04/03-01-01-01-02-01-04.wav',
  'ravdess/Actor_17/03-01-03-02-01-02-17.wav',
  'ravdess/Actor_20/03-01-04-01-02-02-20.wav',
  'savee/DC_a01.wav',
  'savee/JE_sa05.wav',
].map((rel) => path.join(SHARED_DATA, rel));
