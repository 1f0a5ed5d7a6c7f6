// Each corpus indexer on a generated file tree, through indexDataset with the corpus forced.
import * as fs from 'fs';
import * as path from 'path';
import { indexDataset } from '../../../lib/dataset/index-dataset';
import { makeTree, rel, removeTrees } from './tree';

afterAll(removeTrees);

const byName = <T extends { path: string }>(list: T[], root: string): Record<string, T> =>
  Object.fromEntries(list.map((x) => [rel(root, x.path), x]));

describe('RAVDESS', () => {
  it('reads every field of MM-VV-EE-II-SS-RR-AA, namespaces speakers, odd actors male', async () => {
    const root = makeTree([
      'Actor_01/03-01-01-01-01-01-01.wav',
      'Actor_02/03-01-08-02-02-02-02.wav',
      'loose/03-01-05-02-01-01-12.wav', // not under Actor_NN: still found
    ]);
    const r = await indexDataset([root], { corpus: 'ravdess' });
    const items = byName(r.items, root);
    expect(items['Actor_01/03-01-01-01-01-01-01.wav']).toEqual({
      path: path.join(root, 'Actor_01/03-01-01-01-01-01-01.wav'),
      corpus: 'ravdess',
      speaker: 'ravdess:01',
      gender: 'male',
      emotion: 'neutral',
      intensity: 'normal',
      text: 'Kids are talking by the door',
      vocalChannel: 'speech',
    });
    expect(items['Actor_02/03-01-08-02-02-02-02.wav']).toMatchObject({ speaker: 'ravdess:02', gender: 'female', emotion: 'surprised', intensity: 'strong', text: 'Dogs are sitting by the door' });
    expect(items['loose/03-01-05-02-01-01-12.wav']).toMatchObject({ speaker: 'ravdess:12', emotion: 'angry' });
    expect(r.skipped).toEqual([]);
  });

  it('skips non-audio-only modalities and bad codes with reasons', async () => {
    const root = makeTree(['01-01-01-01-01-01-01.wav', '03-01-09-01-01-01-01.wav', '03-03-01-01-01-01-01.wav', 'notes.wav']);
    const r = await indexDataset([root], { corpus: 'ravdess' });
    expect(r.items).toEqual([]);
    const reasons = Object.fromEntries(r.skipped.map((s) => [rel(root, s.path), s.reason]));
    expect(reasons['01-01-01-01-01-01-01.wav']).toMatch(/modality 01 \(full audio-video\) is not audio-only \(03\)/);
    expect(reasons['03-01-09-01-01-01-01.wav']).toMatch(/emotion code 09/);
    expect(reasons['03-03-01-01-01-01-01.wav']).toMatch(/vocal channel 03/);
    expect(reasons['notes.wav']).toMatch(/does not follow the ravdess naming MM-VV-EE-II-SS-RR-AA/);
  });

  it('keeps speech only by default; song and all on request, with the song files reported', async () => {
    const root = makeTree(['Actor_01/03-01-03-01-01-01-01.wav', 'Actor_01/03-02-03-01-01-01-01.wav']);
    const speech = await indexDataset([root]);
    expect(speech.items.map((i) => i.vocalChannel)).toEqual(['speech']);
    expect(speech.skipped).toEqual([{ path: path.join(root, 'Actor_01/03-02-03-01-01-01-01.wav'), reason: expect.stringMatching(/song recording, excluded by the vocal-channel filter 'speech'/) }]);
    expect((await indexDataset([root], { vocalChannel: 'song' })).items.map((i) => i.vocalChannel)).toEqual(['song']);
    expect((await indexDataset([root], { vocalChannel: 'all' })).items).toHaveLength(2);
  });
});

describe('SAVEE', () => {
  it('reads the flat layout, matching sa/su before one-letter codes', async () => {
    const root = makeTree(['DC_a01.wav', 'DC_sa01.wav', 'JE_su15.wav', 'KL_n30.wav', 'JK_d02.wav', 'DC_f03.wav', 'DC_h04.wav']);
    const r = await indexDataset([root], { corpus: 'savee' });
    expect(Object.fromEntries(r.items.map((i) => [rel(root, i.path), `${i.speaker} ${i.emotion} ${i.gender}`]))).toEqual({
      'DC_a01.wav': 'savee:DC angry male',
      'DC_f03.wav': 'savee:DC fearful male',
      'DC_h04.wav': 'savee:DC happy male',
      'DC_sa01.wav': 'savee:DC sad male',
      'JE_su15.wav': 'savee:JE surprised male',
      'JK_d02.wav': 'savee:JK disgust male',
      'KL_n30.wav': 'savee:KL neutral male',
    });
  });

  it('reads the original AudioData/<speaker>/<code>nn.wav layout', async () => {
    const root = makeTree(['AudioData/DC/a01.wav', 'AudioData/JE/sa02.wav', 'AudioData/KL/su03.wav', 'AudioData/XX/a01.wav']);
    const r = await indexDataset([root], { corpus: 'savee' });
    expect(r.items.map((i) => `${rel(root, i.path)} ${i.speaker} ${i.emotion}`)).toEqual([
      'AudioData/DC/a01.wav savee:DC angry',
      'AudioData/JE/sa02.wav savee:JE sad',
      'AudioData/KL/su03.wav savee:KL surprised',
    ]);
    expect(r.skipped.map((s) => rel(root, s.path))).toEqual(['AudioData/XX/a01.wav']);
  });
});

describe('TESS', () => {
  it('maps ps / pleasant_surprise to surprised, fear to fearful; both speakers female', async () => {
    const root = makeTree(['OAF_angry/OAF_back_angry.wav', 'YAF_pleasant_surprised/YAF_germ_ps.wav', 'OAF_Fear/OAF_bite_fear.wav', 'YAF_x/YAF_dog_pleasant_surprise.wav']);
    const r = await indexDataset([root], { corpus: 'tess' });
    expect(r.items.map((i) => `${i.speaker} ${i.gender} ${i.emotion} ${i.text}`)).toEqual([
      // code-point order: OAF_Fear/ sorts before OAF_angry/
      'tess:OAF female fearful Say the word bite',
      'tess:OAF female angry Say the word back',
      'tess:YAF female surprised Say the word germ',
      'tess:YAF female surprised Say the word dog',
    ]);
  });
});

describe('CREMA-D', () => {
  const files = ['AudioWAV/1001_DFA_ANG_XX.wav', 'AudioWAV/1002_IEO_HAP_HI.wav', 'AudioWAV/1001_TIE_NEU_XX.wav', 'AudioWAV/1002_ITS_SAD_LO.wav', 'AudioWAV/1003_IOM_FEA_MD.wav', 'AudioWAV/1003_IWW_DIS_XX.wav', 'AudioWAV/1003_IWW_CAL_XX.wav'];

  it('reads actor, emotion, level and sentence; gender undefined without demographics', async () => {
    const root = makeTree(files);
    const r = await indexDataset([path.join(root, 'AudioWAV')], { corpus: 'crema-d' });
    expect(r.items.map((i) => `${rel(root, i.path)} ${i.speaker} ${i.emotion} ${i.intensity ?? '-'} ${i.gender ?? '-'}`)).toEqual([
      'AudioWAV/1001_DFA_ANG_XX.wav crema-d:1001 angry - -',
      'AudioWAV/1001_TIE_NEU_XX.wav crema-d:1001 neutral - -',
      'AudioWAV/1002_IEO_HAP_HI.wav crema-d:1002 happy strong -',
      'AudioWAV/1002_ITS_SAD_LO.wav crema-d:1002 sad normal -',
      'AudioWAV/1003_IOM_FEA_MD.wav crema-d:1003 fearful normal -',
      'AudioWAV/1003_IWW_DIS_XX.wav crema-d:1003 disgust - -',
    ]);
    expect(r.items[0].text).toBe("Don't forget a jacket");
    expect(r.skipped).toEqual([{ path: path.join(root, 'AudioWAV/1003_IWW_CAL_XX.wav'), reason: expect.stringMatching(/CREMA-D emotion code CAL/) }]);
  });

  it('takes genders from VideoDemographics.csv next to the audio folder', async () => {
    const root = makeTree([...files]);
    fs.writeFileSync(path.join(root, 'VideoDemographics.csv'), 'ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\r\n1002,21,Female,Caucasian,Not Hispanic\n');
    const r = await indexDataset([path.join(root, 'AudioWAV')]);
    const gender = Object.fromEntries(r.items.map((i) => [i.speaker, i.gender ?? '-']));
    expect(gender).toEqual({ 'crema-d:1001': 'male', 'crema-d:1002': 'female', 'crema-d:1003': '-' });
  });
});

describe('EmoDB', () => {
  it('reads speaker, letter 6 and known genders; boredom is skipped unless mapped', async () => {
    const root = makeTree(['wav/03a01Fa.wav', 'wav/08b02Wb.wav', 'wav/16a07Tc.wav', 'wav/10a04La.wav', 'wav/11b10Ea.wav', 'wav/13a05Aa.wav', 'wav/09b03Nb.wav']);
    const r = await indexDataset([root], { corpus: 'emodb' });
    expect(r.items.map((i) => `${i.speaker} ${i.gender} ${i.emotion}`)).toEqual([
      'emodb:03 male happy',
      'emodb:08 female angry',
      'emodb:09 female neutral',
      'emodb:11 male disgust',
      'emodb:13 female fearful',
      'emodb:16 female sad',
    ]);
    expect(r.items[0].text).toBe('Der Lappen liegt auf dem Eisschrank.');
    expect(r.skipped).toEqual([{ path: path.join(root, 'wav/10a04La.wav'), reason: expect.stringMatching(/'boredom' has no canonical emotion class; map it with --label-map boredom=/) }]);
    const mapped = await indexDataset([root], { corpus: 'emodb', labelMap: 'boredom=neutral' });
    expect(mapped.items.find((i) => i.path.endsWith('10a04La.wav'))).toMatchObject({ speaker: 'emodb:10', gender: 'male', emotion: 'neutral' });
  });
});

describe('folder-per-emotion layout', () => {
  it('reads <emotion>/, <speaker>/<emotion>/ and <emotion>/<speaker>/, speaker unknown otherwise', async () => {
    const root = makeTree(['Angry/a.wav', 'bob/happy/b.wav', 'fear/carol/c.wav', 'misc/d.wav', 'Pleasant Surprise/e.wav']);
    const r = await indexDataset([root], { corpus: 'folders' });
    expect(r.items.map((i) => `${rel(root, i.path)} ${i.speaker} ${i.emotion}`)).toEqual([
      'Angry/a.wav folders:unknown angry',
      'Pleasant Surprise/e.wav folders:unknown surprised',
      'bob/happy/b.wav folders:bob happy',
      'fear/carol/c.wav folders:carol fearful',
    ]);
    expect(r.skipped).toEqual([{ path: path.join(root, 'misc/d.wav'), reason: expect.stringMatching(/does not follow the folders naming/) }]);
  });
});

describe('manifests', () => {
  it('reads a CSV with paths relative to it, namespacing speakers and reporting missing files', async () => {
    const root = makeTree(['audio/one.wav', 'audio/two.wav', 'audio/three.wav']);
    const csv = path.join(root, 'list.csv');
    fs.writeFileSync(csv, 'path,emotion,speaker,gender,text\naudio/one.wav,Anger,s1,F,"Hello, world"\naudio/two.wav,boredom,s2,,\naudio/gone.wav,happy,s1,,\naudio/three.wav,calm,s3,m,\n');
    const r = await indexDataset([csv], { labelMap: 'calm=neutral' });
    expect(r.items).toEqual([
      { path: path.join(root, 'audio/one.wav'), corpus: 'manifest', speaker: 'manifest:s1', gender: 'female', emotion: 'angry', text: 'Hello, world' },
      { path: path.join(root, 'audio/three.wav'), corpus: 'manifest', speaker: 'manifest:s3', gender: 'male', emotion: 'neutral' },
    ]);
    expect(r.skipped.map((s) => [rel(root, s.path), s.reason])).toEqual([
      ['audio/gone.wav', expect.stringMatching(/listed in .*list\.csv line 4 but the file does not exist/)],
      ['audio/two.wav', expect.stringMatching(/'boredom' has no canonical emotion class/)],
    ]);
  });

  it('reads JSON Lines and a folder given with --corpus manifest', async () => {
    const root = makeTree(['a.wav', 'b.wav']);
    fs.writeFileSync(path.join(root, 'm.jsonl'), '{"path":"a.wav","emotion":"sad","speaker":"ravdess:03","corpus":"ravdess","vocal_channel":"speech"}\n\n{"path":"b.wav","emotion":"ps","speaker":"x"}\n');
    const r = await indexDataset([root], { corpus: 'manifest' });
    expect(r.items.map((i) => `${i.corpus} ${i.speaker} ${i.emotion} ${i.vocalChannel ?? '-'}`)).toEqual(['ravdess ravdess:03 sad speech', 'manifest manifest:x surprised -']);
  });

  it('names the file and the missing column', async () => {
    const root = makeTree({ 'bad.csv': 'file,label\na.wav,happy\n' });
    await expect(indexDataset([path.join(root, 'bad.csv')])).rejects.toThrow(/bad\.csv: the header has no 'path' column \(found: file, label\)/);
  });
});
