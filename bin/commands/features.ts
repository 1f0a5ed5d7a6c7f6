// `ser-native features <file.wav>`: the log-mel spectrogram of one recording, as a summary, a
// picture (.png), raw float32 (.f32) or JSON. Thin wrapper: decoding, resampling, the kernel and
// the PNG encoder are in lib/; option validation is lib/features (resolveLogMelOptions).
import { promises as fs } from 'fs';
import * as path from 'path';
import type { Argv } from 'yargs';
import { readWav } from '../../lib/audio/wav';
import { resample } from '../../lib/audio/resample';
import { logMel } from '../../lib/features/logmel';
import { frameCount } from '../../lib/features/options';
import { LogMelArgs, logMelOptionsFromArgs, parseDbRange, parseScale, withLogMelFlags } from '../logmel-flags';
import { spectrogramToPng } from '../../lib/features/png';
import { resolveDevice } from '../../lib/device';
import * as is from '../../lib/is';
import { meta, type Command } from '../command-meta';
import { checkDevice, deviceOption } from '../data-options';
import { codeOf, reportError } from '../errors';

export interface FeaturesArgs extends LogMelArgs {
  file: string;
  device: string;
  out?: string;
  json: boolean;
  scale?: string;
  dbRange?: number[];
}

interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** Bad input the user can fix (as opposed to a bug): reported in one line, exit code 2 (ERR_USAGE) or 1. */
class FeaturesError extends Error {
  /** ERR_USAGE: flags that do not fit together; ERR_DATA: the recording; ERR_IO: the output file. */
  constructor(
    message: string,
    readonly code: 'ERR_USAGE' | 'ERR_DATA' | 'ERR_IO' = 'ERR_USAGE',
  ) {
    super(message);
  }
}

const OUTPUT_KINDS = ['.png', '.f32', '.json'] as const;
type OutputKind = (typeof OUTPUT_KINDS)[number];

export const featuresCommand: Command<FeaturesArgs> = {
  ...meta('features'),
  builder: (yargs: Argv<object>): Argv<FeaturesArgs> =>
    withLogMelFlags(
      yargs
        .positional('file', { type: 'string', demandOption: true, describe: 'A WAV file (any rate and channel count; resampled to --sample-rate, averaged to mono)' })
        .option('device', deviceOption)
        .option('out', { type: 'string', describe: 'Write the spectrogram: .png (viridis picture), .f32 (float32 LE, row-major [nMels, frames]) or .json' })
        .option('scale', { type: 'string', describe: '.png pixels per frame and per mel: N or XxY (e.g. 2x4)' })
        .option('db-range', { type: 'number', nargs: 2, describe: '.png dB mapped onto the first and last colour: MIN MAX (default: max-80 max)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print one JSON object (options, shape, stats, output) and nothing else on stdout' }),
    )
      .example('$0 features speech.wav', 'Shape and dB statistics with the default preset')
      .example('$0 features speech.wav --preset torchaudio --out mel.f32', 'torchaudio-compatible features as raw float32')
      .example('$0 features speech.wav --scale 2x4 --out mel.png', 'A picture, 2 pixels per frame and 4 per mel band') as unknown as Argv<FeaturesArgs>,
  handler: async (argv) => {
    process.exitCode = await runFeatures(argv);
  },
};

function outputKind(out: string): OutputKind {
  const ext = path.extname(out).toLowerCase();
  if ((OUTPUT_KINDS as readonly string[]).includes(ext)) return ext as OutputKind;
  throw new FeaturesError(`--out ${out}: unknown extension '${ext || '(none)'}'; use .png (picture), .f32 (raw float32 [nMels, frames]) or .json`);
}

function stats(data: Float32Array): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / data.length };
}

/** [nMels][frames] rows, dB rounded to 1e-4 (float32 carries ~1e-5 dB at these magnitudes). */
function rows(data: Float32Array, nMels: number, frames: number): number[][] {
  const out: number[][] = [];
  for (let m = 0; m < nMels; m++) {
    const r = new Array<number>(frames);
    for (let t = 0; t < frames; t++) r[t] = Math.round(data[m * frames + t] * 1e4) / 1e4;
    out.push(r);
  }
  return out;
}

/** Runs fn on the recording, turning the TypeError/RangeError of argument validation into an ERR_DATA naming the file. */
function asDataError<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new FeaturesError(`${file}: ${e.message}`, 'ERR_DATA');
    throw e;
  }
}

const ms = (from: bigint): number => Math.round(Number(process.hrtime.bigint() - from) / 1e4) / 100;
const round = (v: number, d = 2): number => Math.round(v * 10 ** d) / 10 ** d;

/** Run the command; returns the exit code (0, or that of the error: 2 for a bad flag, 1 for a bad recording). */
export async function runFeatures(args: FeaturesArgs, io: Io = process): Promise<number> {
  try {
    // Everything the user typed is checked before the file is read (a bad value: ERR_ARGUMENT naming the flag).
    const kind = args.out === undefined ? null : outputKind(args.out);
    const scale = args.scale === undefined ? undefined : parseScale(args.scale);
    const dbRange = args.dbRange === undefined ? undefined : parseDbRange(args.dbRange);
    if (kind !== '.png' && (scale !== undefined || dbRange !== undefined)) throw new FeaturesError('--scale and --db-range only apply to a .png --out');
    checkDevice(args.device);
    const options = logMelOptionsFromArgs(args);
    const { preset, ...mel } = options;

    let t = process.hrtime.bigint();
    const wav = readWav(args.file);
    const decodeMs = ms(t);
    const device = resolveDevice(args.device); // loads LibTorch: after the file is known to be a WAV
    t = process.hrtime.bigint();
    const signal = wav.sampleRate === mel.sampleRate ? wav.samples : asDataError(args.file, () => resample(wav.samples, wav.sampleRate, mel.sampleRate));
    const resampleMs = ms(t);
    t = process.hrtime.bigint();
    // Checked here too so the message names the file and the fix (the kernel says "signal 0").
    const minSamples = mel.center && mel.padMode === 'reflect' ? Math.floor(mel.nFft / 2) + 1 : mel.center ? 1 : mel.nFft;
    if (signal.length < minSamples || frameCount(mel, signal.length) === 0) {
      throw new FeaturesError(
        `${args.file}: ${signal.length} samples at ${mel.sampleRate} Hz is too short for one frame (needs ${minSamples}${mel.center && mel.padMode === 'reflect' ? ' for reflect padding' : ''}); use a longer clip, a smaller --n-fft${mel.center && mel.padMode === 'reflect' ? ' or --pad-mode constant' : ''}`,
        'ERR_DATA',
      );
    }
    const spec = asDataError(args.file, () => logMel(signal, { ...mel, device: device as is.Device }));
    const logMelMs = ms(t);
    const s = stats(spec.data);

    let written: { path: string; bytes: number; width?: number; height?: number } | null = null;
    if (args.out !== undefined) {
      let bytes: Buffer;
      let picture: { width: number; height: number } | undefined;
      if (kind === '.png') {
        const p = spectrogramToPng(spec.data, spec.nMels, spec.frames, { scale, dbRange });
        bytes = p.png;
        picture = { width: p.width, height: p.height };
      } else if (kind === '.f32') {
        // Float32Array is host-endian; every platform LibTorch ships for is little-endian.
        bytes = Buffer.from(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength);
      } else {
        bytes = Buffer.from(JSON.stringify({ options, nMels: spec.nMels, frames: spec.frames, data: rows(spec.data, spec.nMels, spec.frames) }) + '\n');
      }
      try {
        await fs.mkdir(path.dirname(path.resolve(args.out)), { recursive: true });
        await fs.writeFile(args.out, bytes);
      } catch (e) {
        throw new FeaturesError(`--out ${args.out}: cannot write (${(e as Error).message})`, 'ERR_IO');
      }
      written = { path: args.out, bytes: bytes.length, ...picture };
    }

    if (args.json) {
      io.stdout.write(
        JSON.stringify(
          {
            file: args.file,
            audio: { duration: wav.duration, sampleRate: wav.sampleRate, channels: wav.channels, bitDepth: wav.bitDepth, format: wav.format, resampledTo: wav.sampleRate === mel.sampleRate ? null : mel.sampleRate },
            preset,
            options: mel,
            device,
            nMels: spec.nMels,
            frames: spec.frames,
            stats: s,
            timeMs: { decode: decodeMs, resample: resampleMs, logMel: logMelMs },
            output: written,
          },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    const rate = wav.sampleRate === mel.sampleRate ? `${wav.sampleRate} Hz` : `${wav.sampleRate} Hz, resampled to ${mel.sampleRate} Hz`;
    const lines: [string, string][] = [
      ['file', args.file],
      ['audio', `${round(wav.duration, 3)} s, ${rate}, ${wav.channels} channel(s), ${wav.bitDepth}-bit ${wav.format}`],
      ['log-mel', `${spec.nMels} mels x ${spec.frames} frames (preset ${preset}: nFft ${mel.nFft}, window ${mel.winLength}, hop ${mel.hopLength}, ${mel.melScale} ${mel.fMin}-${mel.fMax} Hz, top_db ${mel.topDb ?? 'none'})`],
      ['dB', `min ${round(s.min)}, max ${round(s.max)}, mean ${round(s.mean)}`],
      ['device', device],
      ['time', `decode ${decodeMs} ms, resample ${resampleMs} ms, log-mel ${logMelMs} ms`],
    ];
    if (written) lines.push(['wrote', `${written.path} (${written.width ? `${written.width}x${written.height} px, ` : ''}${written.bytes} bytes)`]);
    const w = Math.max(...lines.map((l) => l[0].length));
    for (const [k, v] of lines) io.stdout.write(`${k.padEnd(w)}  ${v}\n`);
    return 0;
  } catch (e) {
    if (codeOf(e) === 'ERR_UNEXPECTED') throw e; // a bug, not bad input: keep the stack
    return reportError('features', e, io);
  }
}
