// The CLI's error plumbing on its own: API names → flags, unknown flags with suggestions, NaN numbers, codes → exit codes.
import { closest, codeOf, exitCodeOf, notANumber, reportError, unknownFlags, withFlagNames } from '../../../bin/errors';
import * as is from '../../../lib/is';

test('lib/ names become the flags that set them; --config keys are named in that file; prose is left alone', () => {
  const names = { 'config.epochs': '--epochs', 'config.*': '$ in --config r.json', seed: '--seed', 'options.hop': '--hop' };
  const msg = (m: string) => (withFlagNames(new RangeError(m), names) as Error).message;
  expect(msg('Expected positive integer for config.epochs but received 0 of type number')).toBe('Expected positive integer for --epochs but received 0 of type number');
  expect(msg('Expected number >= 1 for config.architecture.lstmHidden but received 0.')).toBe('Expected number >= 1 for architecture.lstmHidden in --config r.json but received 0.');
  expect(msg('Expected integer >= 0 for seed but received -1 of type number')).toBe('Expected integer >= 0 for --seed but received -1 of type number');
  expect(msg('the seed of the split and options.hop')).toBe('the seed of the split and --hop');
  const e = is.rangeError('config.epochs', 'positive integer', 0);
  expect(withFlagNames(e, names)).toBe(e);
  expect(codeOf(e)).toBe('ERR_ARGUMENT');
});

test('unknown flags get the closest known one, swaps of neighbouring letters included', () => {
  const known = ['model', 'timeline', 'hop', 'device', 'json', 'help', 'center', 'n-fft', 'nFft'];
  expect(unknownFlags(['--modle', 'x', 'a.wav'], known)).toEqual([{ flag: '--modle', suggestion: '--model' }]);
  expect(unknownFlags(['--no-centre', '--n-fft-x=3', '--zzz', '--db-range', '-80', '0'], [...known, 'db-range'])).toEqual([
    { flag: '--no-centre', suggestion: '--no-center' },
    { flag: '--n-fft-x', suggestion: '--n-fft' },
    { flag: '--zzz', suggestion: null },
  ]);
  expect(unknownFlags(['--model', 'm', '--nFft', '3', '--', '--whatever'], known)).toEqual([]);
  expect(closest('trian', ['train', 'evaluate'])).toBe('train');
});

test('a number flag yargs turned into NaN is reported with what was typed', () => {
  expect(notANumber({ epochs: NaN, _: [] }, ['train', '--epochs', 'abc'])?.message).toBe("Expected a number for --epochs but received 'abc'");
  expect(notANumber({ 'max-evals': NaN, maxEvals: NaN }, ['optimize', '--max-evals=lots'])?.message).toBe("Expected a number for --max-evals but received 'lots'");
  expect(notANumber({ epochs: 3 }, ['--epochs', '3'])).toBeNull();
});

test('one report shape and an exit code per kind', () => {
  let text = '';
  const code = reportError('predict', Object.assign(new Error('m: model.json is missing'), { code: 'ERR_MODEL' }), { stderr: { write: (s: string) => (text += s) } });
  expect(code).toBe(1);
  expect(text).toMatch(/^ser-native predict: error \[ERR_MODEL\]: m: model\.json is missing\nhint: give --model the model\/ folder .*\n$/);
  expect([exitCodeOf('ERR_USAGE'), exitCodeOf('ERR_ARGUMENT'), exitCodeOf('ERR_DATA'), exitCodeOf('ERR_CANCELLED'), exitCodeOf(codeOf(new Error('bug')))]).toEqual([2, 2, 1, 130, 1]);
});
