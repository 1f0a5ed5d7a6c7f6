// The words every output of a run on the built-in demo corpus carries (CLI summary, metrics.json, report),
// so no score measured on synthetic clips passes for a speech-emotion result.
export const DEMO_NOTE = 'synthetic demo corpus, not real speech';

/** True when every speaker is one of the demo corpus (named demo:NN by lib/train/data.ts). */
export function isDemoRun(speakers: readonly string[]): boolean {
  return speakers.length > 0 && speakers.every((s) => s.startsWith('demo:'));
}
