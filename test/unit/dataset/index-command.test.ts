// `ser-native index` in-process: the yargs handler with stdout/stderr captured.
import * as fs from 'fs';
import * as path from 'path';
import yargs from 'yargs';
import { indexCommand, runIndex, type IndexArgs } from '../../../bin/commands/index-corpus';
import { makeTree, removeTrees } from './tree';

afterAll(removeTrees);

function capture(): { out: string[]; err: string[]; io: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (s) => out.push(s) > 0 }, stderr: { write: (s) => err.push(s) > 0 } } };
}

const args = (dir: string[], extra: Partial<IndexArgs> = {}): IndexArgs => ({ dir, corpus: 'auto', vocalChannel: 'speech', json: false, ...extra });

describe('ser-native index', () => {
  const same = Buffer.from('twin');
  let root: string;
  beforeAll(() => {
    root = makeTree({
      'ravdess/Actor_01/03-01-01-01-01-01-01.wav': null,
      'ravdess/Actor_01/03-01-02-01-01-01-01.wav': null,
      'ravdess/Actor_02/03-01-03-01-02-01-02.wav': same,
      'ravdess/Actor_02/03-01-03-01-02-02-02.wav': same,
      'ravdess/Actor_02/03-02-03-01-02-02-02.wav': null,
      'savee/DC_sa01.wav': null,
      'savee/oops.wav': null,
    });
  });

  it('--json through the yargs handler prints only the JSON document on stdout', async () => {
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
    const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exitCode = process.exitCode;
    let code: number | string | undefined;
    try {
      await yargs([]).command(indexCommand).strict().parseAsync(['index', path.join(root, 'ravdess'), path.join(root, 'savee'), '--json', '--label-map', 'calm=neutral']);
      code = process.exitCode;
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
      process.exitCode = exitCode; // the handler sets it; do not leak it into jest's own exit code
    }
    expect(code).toBe(0);
    const doc = JSON.parse(out.join(''));
    expect(Object.keys(doc)).toEqual(['items', 'counts', 'skipped', 'duplicates']);
    expect(doc.items).toHaveLength(5);
    expect(doc.counts).toEqual({
      byEmotion: { neutral: 2, happy: 2, sad: 1 },
      bySpeaker: { 'ravdess:01': 2, 'ravdess:02': 2, 'savee:DC': 1 },
      byCorpus: { ravdess: { neutral: 2, happy: 2 }, savee: { sad: 1 } },
    });
    expect(doc.skipped.map((s: { path: string }) => path.basename(s.path))).toEqual(['03-02-03-01-02-02-02.wav', 'oops.wav']);
    expect(doc.duplicates).toHaveLength(1);
    expect(doc.items[0]).toEqual({
      path: path.join(root, 'ravdess/Actor_01/03-01-01-01-01-01-01.wav'),
      corpus: 'ravdess',
      speaker: 'ravdess:01',
      gender: 'male',
      emotion: 'neutral',
      intensity: 'normal',
      text: 'Kids are talking by the door',
      vocalChannel: 'speech',
    });
  });

  it('prints the tables, skip reasons and duplicates', async () => {
    const c = capture();
    expect(await runIndex(args([root]), c.io)).toBe(0);
    const text = c.out.join('');
    expect(text).toMatch(/Indexed 5 recordings \(2 corpora, 3 speakers\) in [\d.]+ s; 2 skipped; 1 duplicate group\./);
    expect(text).toMatch(/corpus\s+neutral\s+calm\s+happy\s+sad\s+total\n\s+ravdess\s+1\s+1\s+2\s+-\s+4\n\s+savee\s+-\s+-\s+-\s+1\s+1\n\s+total\s+1\s+1\s+2\s+1\s+5/);
    expect(text).toMatch(/ravdess:02\s+female\s+-\s+-\s+2\s+-\s+2/);
    expect(text).toMatch(/song recording, excluded by the vocal-channel filter 'speech'/);
    expect(text).toMatch(/matches no known corpus naming/);
    expect(text).toMatch(/03-01-03-01-02-01-02\.wav {2}= {2}.*03-01-03-01-02-02-02\.wav/);
    expect(c.err).toEqual([]);
  });

  it('--out writes a manifest that indexes back to the same items', async () => {
    const out = path.join(root, 'out', 'manifest.json');
    const c = capture();
    expect(await runIndex(args([path.join(root, 'ravdess')], { json: true, out }), c.io)).toBe(0);
    const written = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(written.items[0].path).toBe('../ravdess/Actor_01/03-01-01-01-01-01-01.wav');
    expect(c.err.join('')).toMatch(/Wrote .*manifest\.json \(4 items/);
    const again = capture();
    expect(await runIndex(args([out], { json: true }), again.io)).toBe(0);
    expect(JSON.parse(again.out.join('')).items).toEqual(JSON.parse(c.out.join('')).items);
  });

  it('exits 1 with a clear message for a missing folder or a folder without audio, 2 for a bad label map', async () => {
    const missing = capture();
    expect(await runIndex(args(['/no/such/dir'], { json: true }), missing.io)).toBe(1);
    expect(missing.out).toEqual([]);
    expect(missing.err.join('')).toMatch(/^ser-native index: error \[ERR_DATA\]: input 1 '\/no\/such\/dir': no such folder.*\nhint: check the paths/);

    const empty = makeTree(['readme.txt']);
    const none = capture();
    expect(await runIndex(args([empty]), none.io)).toBe(1);
    expect(none.err.join('')).toMatch(/no \.wav files in this folder or below/);

    const bad = capture();
    expect(await runIndex(args([root], { labelMap: 'calm=chill' }), bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/^ser-native index: error \[ERR_ARGUMENT\]: --label-map: 'calm=chill': 'chill' is not a canonical emotion/);
  });

  it('exits 1 when every file is skipped, showing why', async () => {
    const c = capture();
    expect(await runIndex(args([path.join(root, 'savee')], { corpus: 'ravdess' }), c.io)).toBe(1);
    expect(c.err.join('')).toMatch(/does not follow the ravdess naming[\s\S]*no usable recordings/);
  });
});
