// The run's state.json as a study's file in a repository: paths relative to the out folder (so another checkout
// or machine resumes it), the search space version recorded, and a resume under another version refused.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { locatedState, openRunState, portableState, readRunState, runFiles, type RunState } from '../../../lib/optimize/run-state';
import { SER_SPACE_VERSION } from '../../../lib/optimize/space';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-run-state-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const stateOf = (out: string) => JSON.parse(fs.readFileSync(runFiles(out).state, 'utf8')) as RunState;

describe('state.json', () => {
  it('holds paths relative to the out folder, and resumes from another checkout with them made absolute there', () => {
    const repo = path.join(tmp, 'checkout-a');
    const out = path.join(repo, 'studies', 'rav-1');
    const ravdess = path.join(repo, 'data', 'ravdess');
    const journal = path.join(repo, 'studies', 'old', 'evaluations.jsonl');
    fs.mkdirSync(path.dirname(journal), { recursive: true });
    fs.writeFileSync(journal, JSON.stringify({ index: 0, iteration: 0, config: {}, fitness: 0.5, status: 'ok', seconds: 1, worker: 0 }) + '\n');
    const run = openRunState({ ravdess, savee: [path.join(tmp, 'elsewhere', 'savee')], population: 4, warmStart: journal }, out, null);
    expect(run.state.settings.data.ravdess).toEqual([ravdess]); // absolute in memory, for the jobs
    run.save();
    const saved = stateOf(out);
    expect(saved.spaceVersion).toBe(SER_SPACE_VERSION);
    expect(saved.settings.data.ravdess).toEqual(['../../data/ravdess']);
    expect(saved.settings.data.savee).toEqual(['../../../elsewhere/savee']);
    expect(saved.settings.warmStart?.file).toBe('../old/evaluations.jsonl');
    expect(JSON.stringify(saved)).not.toContain(tmp); // no absolute path left
    expect(run.state.settings.data.ravdess).toEqual([ravdess]); // saving does not change the running settings

    // The study (and the data beside it) in another place: the resume finds the data there.
    const repoB = path.join(tmp, 'checkout-b');
    fs.mkdirSync(path.join(repoB, 'studies'), { recursive: true });
    fs.cpSync(out, path.join(repoB, 'studies', 'rav-1'), { recursive: true });
    const outB = path.join(repoB, 'studies', 'rav-1');
    const resumed = openRunState({ resume: true }, outB, null);
    expect(resumed.resumed).toBe(true);
    expect(resumed.state.settings.data.ravdess).toEqual([path.join(repoB, 'data', 'ravdess')]);
    expect(resumed.state.settings.warmStart?.file).toBe(path.join(repoB, 'studies', 'old', 'evaluations.jsonl'));
    // Naming the data again, at its new place, is the same run.
    expect(() => openRunState({ resume: true, ravdess: path.join(repoB, 'data', 'ravdess') }, outB, null)).not.toThrow();
    expect(() => openRunState({ resume: true, ravdess: ravdess }, outB, null)).toThrow(/ravdess .* differs from the run being resumed/);
  });

  it('reads the absolute paths of files written before, and round-trips relative ones', () => {
    const out = path.join(tmp, 'old-run');
    const state = { kind: 'ser-native/optimize-run', version: 1, spaceVersion: SER_SPACE_VERSION, settings: { data: { ravdess: ['/srv/ravdess'], demoDir: '/srv/demo', split: 'default' }, warmStart: null }, search: null, baseline: null, final: null } as unknown as RunState;
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(runFiles(out).state, JSON.stringify(state));
    expect(readRunState(out).settings.data).toEqual({ ravdess: [path.resolve('/srv/ravdess')], demoDir: path.resolve('/srv/demo'), split: 'default' });
    const located = locatedState(portableState(locatedState(state, out), out), out);
    expect(located.settings.data).toEqual(locatedState(state, out).settings.data);
  });

  it('refuses to resume a run of another search space version, naming the file and the way on', () => {
    const make = (name: string, spaceVersion: number | undefined, study?: string) => {
      const out = path.join(tmp, name);
      const run = openRunState({ population: 4 }, out, null);
      run.save();
      const s = stateOf(out) as RunState & { spaceVersion?: number };
      if (spaceVersion === undefined) delete s.spaceVersion;
      else s.spaceVersion = spaceVersion;
      if (study !== undefined) s.study = study;
      fs.writeFileSync(runFiles(out).state, JSON.stringify(s));
      return out;
    };
    const v1 = make('v1', undefined); // written before the version existed: space version 1
    let error: (Error & { code?: string }) | null = null;
    try {
      openRunState({ resume: true }, v1, null);
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).toBe('ERR_ARGUMENT');
    expect(error?.message).toContain(`${runFiles(v1).state} was saved by a search over space version 1, and this ser-native searches space version ${SER_SPACE_VERSION}`);
    expect(error?.message).toContain(`--warm-start ${runFiles(v1).evaluations}`);
    // A restarted queue coordinator resumes without being told to: refused the same way.
    expect(() => openRunState({}, make('v99', 99, 'rav-1'), 'rav-1')).toThrow(/space version 99/);
    expect(() => openRunState({ resume: true }, make('v99b', 99), null)).toThrow(/space version 99/);
    expect(() => openRunState({ resume: true }, make('current', SER_SPACE_VERSION), null)).not.toThrow();
  });
});
