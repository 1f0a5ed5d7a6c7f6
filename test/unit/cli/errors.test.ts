// The CLI's error plumbing on its own: API names → flags, unknown flags with suggestions, NaN numbers, codes → exit codes.
import { closest, codeOf, exitCodeOf, notANumber, reportError, unknownFlags, usageMessage, UsageError, withFlagNames } from '../../../bin/errors';
import { ScheduleError } from '../../../lib/augment/schedule';
import { WavError } from '../../../lib/audio/wav';
import { DatasetError } from '../../../lib/dataset/errors';
import { SerNativeError } from '../../../lib/errors';
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

test('the code is the one the error was thrown with; nothing is guessed from the message', () => {
  expect(codeOf(is.rangeError('config.epochs', 'positive integer', 0))).toBe('ERR_ARGUMENT');
  expect(codeOf(new WavError('NOT_WAV', 'a.txt', 'not a WAV file'))).toBe('ERR_DATA');
  expect(codeOf(new ScheduleError('config.noise.p: expected a probability in [0, 1], got 2'))).toBe('ERR_ARGUMENT');
  expect(codeOf(new DatasetError("--split 'x': unknown mode", 'ERR_ARGUMENT'))).toBe('ERR_ARGUMENT');
  expect(codeOf(new SerNativeError('ERR_IO', 'cannot write'))).toBe('ERR_IO');
  expect(codeOf(new UsageError('--float16 applies to --folds'))).toBe('ERR_USAGE');
  // Reads like an argument error, but nobody gave it a code: a bug of ours, reported as such.
  expect(codeOf(new TypeError('Expected positive integer for epochs but received 0'))).toBe('ERR_UNEXPECTED');
  // Node's and other libraries' codes are not ser-native's: the error was not turned into one where it happened.
  expect(codeOf(Object.assign(new Error('EADDRINUSE'), { code: 'EADDRINUSE' }))).toBe('ERR_UNEXPECTED');
  expect(codeOf(Object.assign(new RangeError('bad port'), { code: 'ERR_SOCKET_BAD_PORT' }))).toBe('ERR_UNEXPECTED');
  expect([codeOf(undefined), codeOf(null), codeOf('text')]).toEqual(['ERR_UNEXPECTED', 'ERR_UNEXPECTED', 'ERR_UNEXPECTED']);
});

test("yargs' messages in one line, naming flags and positionals as typed", () => {
  expect(usageMessage('Invalid values:\n  Argument: vocal-channel, Given: "x", Choices: "speech", "song"', 'index <dir...>')).toBe('Expected one of "speech", "song" for --vocal-channel but received "x"');
  expect(usageMessage('Missing required argument: onnx', 'export')).toBe('Missing required option --onnx');
  expect(usageMessage('Missing required arguments: queue, dataRoot', 'worker')).toBe('Missing required options --queue, --data-root');
  expect(usageMessage('Not enough non-option arguments: got 0, need at least 1', 'predict <files...>')).toBe('Missing <files...>: usage is ser-native predict <files...> [options]');
  expect(usageMessage('Unknown argument: extra', 'info')).toBe('Unknown argument: extra');
});
