// indexDataset: auto detection, skipped reasons, duplicates, label maps, errors, JSON round trip.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { indexDataset } from '../../../lib/dataset/index-dataset';
import { toIndexJson } from '../../../lib/dataset/serialize';
import { makeTree, rel, removeTrees } from './tree';

afterAll(removeTrees);

const summary = (root: string, items: { path: string; corpus: string; speaker: string; emotion: string }[]): string[] =>
  items.map((i) => `${rel(root, i.path)} ${i.corpus} ${i.speaker} ${i.emotion}`);

describe('auto detection', () => {
  it('reads a mixed tree file by file, each with its own corpus', async () => {
    const root = makeTree([
      'ravdess/Actor_03/03-01-04-01-01-01-03.wav',
      'savee/JE_sa01.wav',
      'tess/OAF_sad/OAF_back_sad.wav',
      'emodb/wav/03a01Wa.wav',
      'crema/1001_DFA_ANG_XX.wav',
      'mine/spk9/calm/take1.wav',
      'same-folder/03-01-02-01-01-01-05.wav',
      'same-folder/KL_h01.wav',
    ]);
    const r = await indexDataset([root]);
    expect(summary(root, r.items)).toEqual([
      'crema/1001_DFA_ANG_XX.wav crema-d crema-d:1001 angry',
      'emodb/wav/03a01Wa.wav emodb emodb:03 angry',
      'mine/spk9/calm/take1.wav folders folders:spk9 calm',
      'ravdess/Actor_03/03-01-04-01-01-01-03.wav ravdess ravdess:03 sad',
      'same-folder/03-01-02-01-01-01-05.wav ravdess ravdess:05 calm',
      'same-folder/KL_h01.wav savee savee:KL happy',
      'savee/JE_sa01.wav savee savee:JE sad',
      'tess/OAF_sad/OAF_back_sad.wav tess tess:OAF sad',
    ]);
    expect(Object.keys(r.counts.byCorpus)).toEqual(['crema-d', 'emodb', 'folders', 'ravdess', 'savee', 'tess']);
  });

  it('lets the naming that most files of a folder follow win for that folder', async () => {
    // In happy/ two files only make sense as "folder = emotion"; the SAVEE-looking name follows the folder.
    const root = makeTree(['happy/take1.wav', 'happy/take2.wav', 'happy/DC_a01.wav', 'other/DC_a01.wav']);
    const r = await indexDataset([root]);
    expect(summary(root, r.items)).toEqual([
      'happy/DC_a01.wav folders folders:unknown happy',
      'happy/take1.wav folders folders:unknown happy',
      'happy/take2.wav folders folders:unknown happy',
      'other/DC_a01.wav savee savee:DC angry',
    ]);
  });

  it('reports every file it cannot use, with a reason, instead of dropping it', async () => {
    const root = makeTree(['Actor_01/03-01-01-01-01-01-01.wav', 'Actor_01/recording.wav', 'Actor_01/._03-01-01-01-01-01-01.wav', 'Actor_01/take.flac', 'Actor_01/README.md']);
    const r = await indexDataset([root]);
    expect(r.items).toHaveLength(1);
    const reasons = Object.fromEntries(r.skipped.map((s) => [rel(root, s.path), s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['Actor_01/._03-01-01-01-01-01-01.wav', 'Actor_01/recording.wav', 'Actor_01/take.flac']);
    expect(reasons['Actor_01/recording.wav']).toMatch(/matches no known corpus naming \(ravdess MM-VV-EE-II-SS-RR-AA.*savee.*; index it with a manifest/);
    expect(reasons['Actor_01/._03-01-01-01-01-01-01.wav']).toMatch(/hidden file/);
    expect(reasons['Actor_01/take.flac']).toMatch(/\.flac audio is not read by ser-native; convert it/);
  });

  it('lists files in sorted order whatever the creation order', async () => {
    const root = makeTree(['b/DC_n02.wav', 'a/DC_n03.wav', 'b/DC_n01.wav', 'a/DC_h01.wav']);
    const r = await indexDataset([root]);
    expect(r.items.map((i) => rel(root, i.path))).toEqual(['a/DC_h01.wav', 'a/DC_n03.wav', 'b/DC_n01.wav', 'b/DC_n02.wav']);
  });
});

describe('label map', () => {
  it('merges and drops classes, and warns about entries that matched nothing', async () => {
    const root = makeTree(['03-01-02-01-01-01-01.wav', '03-01-07-01-01-01-01.wav', '03-01-03-01-01-01-01.wav']);
    const r = await indexDataset([root], { labelMap: 'calm=neutral,disgust=,surprised=happy' });
    expect(r.items.map((i) => i.emotion)).toEqual(['neutral', 'happy']);
    expect(r.counts.byEmotion).toEqual({ neutral: 1, happy: 1 });
    expect(r.skipped).toEqual([{ path: path.join(root, '03-01-07-01-01-01-01.wav'), reason: expect.stringMatching(/dropped by the label map \(disgust=\)/) }]);
    expect(r.warnings).toEqual([expect.stringMatching(/label map entry 'surprised' matched no file/)]);
  });
});

describe('duplicates', () => {
  it('finds byte-identical files among same-size files only, across speakers and folders', async () => {
    const same = Buffer.from('RIFF identical bytes');
    const root = makeTree({
      'Actor_01/03-01-03-01-02-01-01.wav': same,
      'Actor_01/03-01-03-01-02-02-01.wav': same,
      'Actor_02/03-01-03-01-02-02-02.wav': same,
      'Actor_02/03-01-04-01-02-02-02.wav': Buffer.from('RIFF differentbytes!'), // same size, other bytes
      'Actor_02/03-01-05-01-02-02-02.wav': Buffer.from('unique size'),
    });
    const r = await indexDataset([root]);
    expect(r.duplicates).toEqual([
      {
        hash: createHash('sha1').update(same).digest('hex'),
        paths: ['Actor_01/03-01-03-01-02-01-01.wav', 'Actor_01/03-01-03-01-02-02-01.wav', 'Actor_02/03-01-03-01-02-02-02.wav'].map((p) => path.join(root, p)),
      },
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('warns when identical files carry different emotions', async () => {
    const same = Buffer.from('same');
    const root = makeTree({ '03-01-03-01-02-01-01.wav': same, '03-01-04-01-02-01-01.wav': same });
    const r = await indexDataset([root]);
    expect(r.duplicates).toHaveLength(1);
    expect(r.warnings).toEqual([expect.stringMatching(/identical files carry different emotions \(happy, sad\)/)]);
  });

  it('does not count a file twice when inputs overlap', async () => {
    const root = makeTree(['ravdess/03-01-03-01-02-01-01.wav']);
    const r = await indexDataset([root, path.join(root, 'ravdess')]);
    expect(r.items).toHaveLength(1);
    expect(r.duplicates).toEqual([]);
    expect(r.skipped).toEqual([{ path: path.join(root, 'ravdess/03-01-03-01-02-01-01.wav'), reason: 'already indexed (listed twice, or reached through another input folder or a symlink)' }]);
  });
});

describe('errors', () => {
  it('names a missing folder and its argument position', async () => {
    await expect(indexDataset(['/definitely/not/here'])).rejects.toThrow(/input 1 '\/definitely\/not\/here': no such folder/);
  });

  it('rejects a folder without WAV files', async () => {
    const root = makeTree(['notes.txt', 'sub/readme.md']);
    await expect(indexDataset([root])).rejects.toMatchObject({ code: 'ERR_DATA', message: expect.stringMatching(/no \.wav files in this folder or below/) });
  });

  it('rejects a non-manifest file, an unknown corpus and a bad label map', async () => {
    const root = makeTree(['a.wav']);
    await expect(indexDataset([path.join(root, 'a.wav')])).rejects.toThrow(/is a file; pass the folder that holds the recordings/);
    await expect(indexDataset([root], { corpus: 'iemocap' as never })).rejects.toThrow(/corpus 'iemocap' is unknown; use one of auto, ravdess/);
    await expect(indexDataset([root], { labelMap: 'calm' })).rejects.toThrow(/--label-map: 'calm' has no '='/);
    await expect(indexDataset([])).rejects.toThrow(/no input folder given/);
  });
});

describe('JSON form', () => {
  it('round-trips: the written JSON, with paths relative to it, indexes back to the same items', async () => {
    const root = makeTree({ 'data/Actor_01/03-01-03-01-02-01-01.wav': 'x', 'data/Actor_01/03-01-03-01-02-02-01.wav': 'x', 'data/DC_a01.wav': 'yy' });
    const r = await indexDataset([path.join(root, 'data')]);
    const outDir = path.join(root, 'manifests');
    fs.mkdirSync(outDir);
    const json = toIndexJson(r, outDir);
    expect(json.items[0].path).toBe('../data/Actor_01/03-01-03-01-02-01-01.wav');
    expect(json.duplicates[0].paths).toEqual(['../data/Actor_01/03-01-03-01-02-01-01.wav', '../data/Actor_01/03-01-03-01-02-02-01.wav']);
    expect(Object.keys(json)).toEqual(['items', 'counts', 'skipped', 'duplicates']);
    const file = path.join(outDir, 'index.json');
    fs.writeFileSync(file, JSON.stringify(json));
    const again = await indexDataset([file]);
    expect(again.items).toEqual(r.items);
    expect(again.duplicates).toEqual(r.duplicates);
    expect(again.counts).toEqual(r.counts);
  });
});
