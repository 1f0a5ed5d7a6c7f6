// What a training run leaves in --out besides the bundle: metrics.json and report.html
// (history.jsonl is appended epoch by epoch during training).
import * as fs from 'fs';
import * as path from 'path';
import { DEMO_NOTE, isDemoRun } from '../demo/note';
import { renderTrainingReport } from '../report/train-report';
import type { TrainResult } from './types';
import type { RunCalibration } from './calibrate';
import { writeTextAtomic } from '../fs-atomic';

export function writeTrainingOutputs(out: string, r: TrainResult, versions: { package: string; libtorch: string }, calibration?: RunCalibration): void {
  fs.mkdirSync(out, { recursive: true });
  const synthetic = isDemoRun([...r.split.train.speakers, ...r.split.validation.speakers]);
  const summary = {
    synthetic,
    ...(synthetic ? { note: DEMO_NOTE } : {}),
    protocol: r.protocol,
    split: r.split,
    labels: r.labels,
    validation: r.metrics,
    perCorpus: r.perCorpus,
    bestEpoch: r.bestEpoch,
    epochsRun: r.history.length,
    stoppedEarly: r.stoppedEarly,
    cancelled: r.cancelled,
    seconds: r.seconds,
    device: r.device,
    versions,
    skipped: r.skipped,
    ...(r.teacher ? { teacher: r.teacher } : {}),
    ...(calibration ? { calibration } : {}),
  };
  writeTextAtomic(path.join(out, 'metrics.json'), JSON.stringify(summary, null, 2) + '\n');
  if (!r.metrics) return;
  const notes = [
    `Best epoch ${r.bestEpoch} of ${r.history.length}${r.stoppedEarly ? ' (stopped early: validation UAR stopped improving)' : ''}${r.cancelled ? ' (training was cancelled; this is the best checkpoint before that)' : ''}.`,
    `Device ${r.device}; ${r.seconds.toFixed(0)} s in all.`,
  ];
  if (r.teacher) notes.push(`Distilled from ${r.teacher.path} (${r.teacher.members} member${r.teacher.members === 1 ? '' : 's'}): loss ${+(1 - r.teacher.weight).toFixed(6)} × cross-entropy on the labels + ${r.teacher.weight} × cross-entropy on the teacher's calibrated probabilities.`);
  if (r.skipped.length) notes.push(`${r.skipped.length} files were skipped (see metrics.json "skipped").`);
  const html = renderTrainingReport({
    title: 'ser-native training report',
    metrics: Object.keys(r.perCorpus).length ? { validation: r.metrics, perCorpus: r.perCorpus } : r.metrics,
    history: r.history,
    config: r.config as unknown as Record<string, unknown>,
    dataset: { train: r.split.train, validation: r.split.validation },
    versions,
    notes,
    synthetic,
    ...(calibration ? { calibration: { before: calibration.before, after: calibration.after, note: `Temperature ${calibration.temperature.toFixed(3)} fitted by minimising NLL on ${calibration.fittedOn}; ECE in-sample on the same clips.` } } : {}),
  });
  writeTextAtomic(path.join(out, 'report.html'), html);
}
