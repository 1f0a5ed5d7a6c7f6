// Command-line flags → log-mel options: presets, overrides, 'none', and errors naming the flag.
import yargs from 'yargs';
import { LogMelArgs, logMelOptionsFromArgs, parseDbRange, parseScale, withLogMelFlags } from '../../../bin/logmel-flags';
import { PRESETS } from '../../../lib/features/options';

const parse = (argv: string[]) => withLogMelFlags(yargs(argv).strict()).parseSync() as LogMelArgs;

describe('logMelOptionsFromArgs', () => {
  test('no flags: the default preset, unchanged', () => {
    expect(logMelOptionsFromArgs(parse([]))).toEqual({ ...PRESETS.default, preset: 'default' });
  });

  test('a preset plus overrides from real command-line words', () => {
    const o = logMelOptionsFromArgs(
      parse(['--preset', 'torchaudio', '--n-mels', '40', '--top-db', '60', '--norm', 'slaney', '--no-center', '--pad-mode', 'constant', '--mel-scale', 'slaney', '--power', '1']),
    );
    expect(o).toEqual({ ...PRESETS.torchaudio, preset: 'torchaudio', nMels: 40, topDb: 60, norm: 'slaney', center: false, padMode: 'constant', melScale: 'slaney', power: 1 });
  });

  test("'none' turns off top_db and the filter norm", () => {
    const o = logMelOptionsFromArgs(parse(['--preset', 'librosa', '--top-db', 'none', '--norm', 'none']));
    expect(o.topDb).toBeNull();
    expect(o.norm).toBeNull();
  });

  test('changing the sample rate lowers the preset f-max to the new Nyquist (resolveLogMelOptions rule)', () => {
    expect(logMelOptionsFromArgs(parse(['--sample-rate', '8000'])).fMax).toBe(4000);
  });

  test('errors name the flag the user typed, not the API field', () => {
    expect(() => logMelOptionsFromArgs(parse(['--n-fft', '0']))).toThrow(/for --n-fft but received 0/);
    expect(() => logMelOptionsFromArgs(parse(['--n-fft', 'abc']))).toThrow(/for --n-fft but received NaN/);
    expect(() => logMelOptionsFromArgs(parse(['--win-length', '600']))).toThrow(/integer <= nFft \(512\) for --win-length/);
    expect(() => logMelOptionsFromArgs(parse(['--f-max', '9000']))).toThrow(RangeError);
    expect(() => logMelOptionsFromArgs(parse(['--f-max', '9000']))).toThrow(/--f-max/);
    expect(() => logMelOptionsFromArgs(parse(['--top-db', 'loud']))).toThrow(/a number of dB or 'none' for --top-db/);
  });
});

describe('png flags', () => {
  test('--scale N or XxY', () => {
    expect(parseScale('3')).toBe(3);
    expect(parseScale('2x4')).toEqual([2, 4]);
    expect(() => parseScale('2x')).toThrow(/--scale/);
    expect(() => parseScale('0')).toThrow(/integers >= 1 for --scale/);
  });

  test('--db-range MIN MAX', () => {
    expect(parseDbRange([-80, 0])).toEqual([-80, 0]);
    expect(parseDbRange('-60,10')).toEqual([-60, 10]);
    expect(() => parseDbRange([0, -80])).toThrow(/MIN < MAX for --db-range/);
    expect(() => parseDbRange([1])).toThrow(/MIN MAX in dB/);
  });
});
