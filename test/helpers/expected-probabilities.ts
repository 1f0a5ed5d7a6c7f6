// The regression check of a shipped model: its probabilities on a few clips against the values that
// `npm run train:default-model` wrote when it trained the model (test/fixtures/default-model-expected.json).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { loadModel } from '../../lib/model/model';

export interface Expected {
  weightsSha256: string;
  clips: { clip: string; emotion: string | null; probabilities: Record<string, number> | null }[];
}

/** Largest |difference| between the model's probabilities now and the expected ones, and the clips compared. */
export function compareWithExpected(modelDir: string, expected: Expected, dataRoot: string): { worst: number; compared: number; sameWeights: boolean } {
  const sha = createHash('sha256').update(fs.readFileSync(path.join(modelDir, 'weights.bin'))).digest('hex');
  const model = loadModel(modelDir);
  let worst = 0;
  for (const c of expected.clips) {
    const p = model.predict(path.join(dataRoot, c.clip));
    if (p.emotion !== c.emotion) worst = Infinity;
    for (const [label, v] of Object.entries(c.probabilities ?? {})) {
      const now = p.probabilities?.[label];
      worst = Math.max(worst, typeof now === 'number' ? Math.abs(now - v) : Infinity);
    }
  }
  return { worst, compared: expected.clips.length, sameWeights: sha === expected.weightsSha256 };
}
