// The regression check of a shipped model: its probabilities on a few clips against the values that
// `npm run train:default-model` wrote when it trained the model (test/fixtures/default-model-expected.json).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../lib/model/model';

type ExpectedClip = { clip: string; emotion: string | null; probabilities: Record<string, number> | null };

export interface Expected {
  weightsSha256: string;
  clips: ExpectedClip[];
  /** A model with speaker adaptation: one voice's clips predicted together (predictBatch sameSpeaker). */
  adapted?: (ExpectedClip & { adapted: boolean })[];
}

function worstOf(got: { emotion: string | null; probabilities: Record<string, number> | null }, want: ExpectedClip): number {
  let worst = got.emotion === want.emotion ? 0 : Infinity;
  for (const [label, v] of Object.entries(want.probabilities ?? {})) {
    const now = got.probabilities?.[label];
    worst = Math.max(worst, typeof now === 'number' ? Math.abs(now - v) : Infinity);
  }
  return worst;
}

/** Largest |difference| between the model's probabilities now and the expected ones, and the clips compared. */
export function compareWithExpected(modelDir: string, expected: Expected, dataRoot: string): { worst: number; compared: number; worstAdapted: number | null; sameWeights: boolean } {
  const sha = createHash('sha256').update(fs.readFileSync(path.join(modelDir, 'weights.bin'))).digest('hex');
  const model = loadModel(modelDir);
  let worst = 0;
  for (const c of expected.clips) worst = Math.max(worst, worstOf(model.predict(path.join(dataRoot, c.clip)), c));
  let worstAdapted: number | null = null;
  if (expected.adapted) {
    const got = model.predictBatch(expected.adapted.map((c) => path.join(dataRoot, c.clip)), { sameSpeaker: true });
    worstAdapted = Math.max(...expected.adapted.map((c, i) => (got[i].adapted === c.adapted ? worstOf(got[i], c) : Infinity)));
  }
  return { worst, compared: expected.clips.length, worstAdapted, sameWeights: sha === expected.weightsSha256 };
}
