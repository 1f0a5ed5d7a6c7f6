// How every command reports a failure: one line `ser-native <command>: error [CODE]: message`, one
// `hint:` line, and an exit code by kind (EXIT below, documented in the README). The code is the one the
// error was thrown with (lib/errors.ts; ERR_USAGE for the CLI's own checks); an error without a known code
// is a bug of ser-native, ERR_UNEXPECTED. Errors of lib/ name API fields (config.epochs, options.hop); the
// CLI rewrites them to the flags the user typed. Loads nothing heavy: `--help` and every parse error go through here.
import { isSerNativeErrorCode } from '../lib/errors';
import * as is from '../lib/is';

/** Exit codes of `ser-native` (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** The run failed: unreadable data or model, LibTorch, a device, a file that could not be predicted. */
  failed: 1,
  /** The command line is wrong: unknown or missing flag, a flag value out of range. Nothing was run. */
  usage: 2,
  /** Interrupted (Ctrl-C); what was finished is kept. */
  interrupted: 130,
} as const;

/** A mistake in the command line found by the CLI itself (yargs, or a check of flags that belong together). */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface Io {
  stderr: { write(s: string): unknown };
}

/**
 * Code of an error as the CLI shows it: the `code` it was thrown with when that is one of ser-native's
 * (lib/errors.ts, or the CLI's ERR_USAGE), else ERR_UNEXPECTED: a bug, since every error a user can cause
 * carries its code where it is thrown. Nothing is guessed from the message.
 */
export function codeOf(e: unknown): string {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return code === 'ERR_USAGE' || isSerNativeErrorCode(code) ? (code as string) : 'ERR_UNEXPECTED';
}

export function exitCodeOf(code: string): number {
  if (code === 'ERR_USAGE' || code === 'ERR_ARGUMENT') return EXIT.usage;
  if (code === 'ERR_CANCELLED') return EXIT.interrupted;
  return EXIT.failed;
}

function hintFor(command: string | null, code: string): string {
  const help = `ser-native ${command ? `${command} ` : ''}--help`;
  switch (code) {
    case 'ERR_USAGE':
    case 'ERR_ARGUMENT':
      return `run \`${help}\` for the options and their values`;
    case 'ERR_DATA':
      if (command === 'index') return 'check the paths, --corpus, --vocal-channel and --label-map';
      if (command === 'predict' || command === 'features') return 'check that the file is a readable WAV recording';
      return 'check the data flags (--ravdess, --savee, --data, --label-map); `ser-native index DIR` shows what is found in a folder';
    case 'ERR_MODEL':
      return 'give --model the model/ folder that `ser-native train --out DIR` writes (DIR/model)';
    case 'ERR_DEVICE':
      return 'use --device cpu, or see `ser-native info` for the CUDA devices LibTorch can use';
    case 'ERR_LIBTORCH_NOT_FOUND':
    case 'ERR_LIBTORCH_VERSION':
    case 'ERR_NO_BINARY':
      return '`npx ser-native setup` installs the pinned LibTorch; `ser-native info` shows what was found';
    case 'ERR_DEPENDENCY':
      return 'install the optional dependencies of the distributed mode: npm install bullmq ioredis';
    case 'ERR_CANCELLED':
      return 'interrupted; what was finished is kept';
    case 'ERR_IO':
      if (command === 'serve') return 'choose another --port or --host (is another server listening there?)';
      if (command === 'optimize' || command === 'worker') return 'check --queue: is redis-server running at that address, and can this machine reach it?';
      return 'check that the output folder can be written (path, permissions, free space)';
    case 'ERR_LOCKED':
      return 'another run is using that output folder: wait for it to finish, or choose another --out';
    case 'ERR_AUDIO':
    case 'ERR_LIMIT':
      return 'the recording is outside what ser-native can score (docs/limits-and-security.md, "Limits"): use another file';
    case 'ERR_UNEXPECTED':
      return 'this is a bug in ser-native: please report it, with the stack trace SER_NATIVE_DEBUG=1 prints';
    default:
      return 'set SER_NATIVE_DEBUG=1 to see the stack trace; please report it if the message does not say what to fix';
  }
}

/** `ser-native <command>: error [CODE]: message`, the first line of every error report. */
export function errorLine(command: string | null, e: unknown): string {
  return `ser-native${command ? ` ${command}` : ''}: error [${codeOf(e)}]: ${e instanceof Error ? e.message : String(e)}`;
}

/** `hint: ...`, the second line: what to do about this kind of error. */
export function hintLine(command: string | null, e: unknown): string {
  return `hint: ${hintFor(command, codeOf(e))}`;
}

/** Writes the error in the one CLI style and returns the exit code it calls for. */
export function reportError(command: string | null, e: unknown, io: Io = process): number {
  io.stderr.write(`${errorLine(command, e)}\n${hintLine(command, e)}\n`);
  if (process.env.SER_NATIVE_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return exitCodeOf(codeOf(e));
}

/**
 * Rewrites the API names in a lib/ error message into the flags the user typed, e.g.
 * "config.epochs" → "--epochs", keeping the error's class and code. `names` maps API name → flag text;
 * a plain lower-case key (seed) only where lib/is.ts names an argument ("for seed but received"), since it
 * is also an English word; a key ending in `.*` maps every name under it, `$` in its text standing for the rest
 * ({ 'config.*': '$ in --config my.json' }: "config.batchSize" → "batchSize in --config my.json").
 */
export function withFlagNames(e: unknown, names: Record<string, string>): unknown {
  if (!(e instanceof Error) || Object.keys(names).length === 0) return e;
  const quote = (k: string): string => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const exact = Object.keys(names).filter((k) => !k.endsWith('.*')).sort((a, b) => b.length - a.length);
  const prefixes = Object.keys(names).filter((k) => k.endsWith('.*'));
  // A plain lower-case word (seed, workers) is also prose: replaced only where lib/is.ts names an argument.
  const word = (k: string): string => (/^[a-z]+$/.test(k) ? `(?<=for )${quote(k)}(?= but received)` : quote(k));
  const alternatives = [...exact.map(word), ...prefixes.map((k) => `${quote(k.slice(0, -1))}[\\w\\[\\]]+(?:\\.[\\w\\[\\]]+)*`)];
  const re = new RegExp(`(?<![\\w.-])(${alternatives.join('|')})(?![\\w])`, 'g');
  const message = e.message.replace(re, (m) => {
    if (m in names) return names[m];
    const p = prefixes.find((k) => m.startsWith(k.slice(0, -1)))!;
    return names[p].replace('$', m.slice(p.length - 1));
  });
  if (message !== e.message) e.message = message;
  return e;
}

/** The closest known name (lib/is.ts' "did you mean"), or the longest known name the typo starts with (--n-fft-x). */
export function closest(name: string, known: readonly string[]): string | null {
  const near = is.closest(name, known);
  if (near !== undefined) return near;
  const prefix = known.filter((k) => k.length >= 3 && name.toLowerCase().startsWith(k.toLowerCase())).sort((x, y) => y.length - x.length);
  return prefix[0] ?? null;
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Flags in `words` that no option of the command knows (`--modle`, `-x`), each with its closest known
 * flag. Checked before yargs' own messages, which report "Missing required argument: model" for `--modle`.
 */
export function unknownFlags(words: readonly string[], known: readonly string[]): { flag: string; suggestion: string | null }[] {
  const names = [...new Set(known.flatMap((k) => [k, kebab(k)]))];
  const out: { flag: string; suggestion: string | null }[] = [];
  for (const w of words) {
    if (w === '--') break;
    const m = /^(--?)([^=]+)/.exec(w);
    if (!m || /^-\d/.test(w)) continue; // a negative number is a value
    const name = m[2];
    const bare = m[1] === '--' && name.startsWith('no-') ? name.slice(3) : name;
    if (names.includes(name) || names.includes(bare)) continue;
    const guess = closest(bare, names.filter((n) => n.length > 1 && n === kebab(n)));
    out.push({ flag: `${m[1]}${name}`, suggestion: guess ? `--${bare === name ? '' : 'no-'}${guess}` : null });
  }
  return out;
}

/** "Unknown option --modle (did you mean --model?)", one sentence per unknown flag. */
export function unknownFlagsMessage(unknown: { flag: string; suggestion: string | null }[]): string {
  return unknown.map((u) => `Unknown option ${u.flag}${u.suggestion ? ` (did you mean ${u.suggestion}?)` : ''}`).join('; ');
}

/**
 * yargs' own message in one line, naming what the user types: `--corpus` for an option, `<file>` for a
 * positional of `usage` (the command string, e.g. 'features <file>').
 */
export function usageMessage(msg: string, usage: string | null): string {
  const tokens = (usage ?? '').match(/<[\w-]+(?:\.\.\.)?>/g) ?? []; // <file>, <files...>
  const positional = (n: string): string | undefined => tokens.find((t) => t.replace(/[<>.]/g, '') === n);
  const name = (n: string): string => positional(n) ?? `--${kebab(n)}`;
  const text = msg.split('\n').map((l) => l.trim()).filter((l) => l !== '').join('\n');
  if (text.startsWith('Invalid values:')) {
    const parts = [...text.matchAll(/Argument: ([\w-]+), Given: (.*), Choices: (.*)/g)].map((m) => `Expected one of ${m[3]} for ${name(m[1])} but received ${m[2]}`);
    if (parts.length > 0) return parts.join('; ');
  }
  const missing = /^Missing required arguments?: (.*)$/.exec(text);
  if (missing) return `Missing required ${missing[1].includes(',') ? 'options' : 'option'} ${missing[1].split(/,\s*/).map(name).join(', ')}`;
  if (/^Not enough non-option arguments/.test(text) && tokens.length > 0) return `Missing ${tokens.join(' ')}: usage is ser-native ${usage} [options]`;
  return text.replace(/\n/g, '; ');
}

/**
 * Number flags that yargs parsed to NaN (`--epochs abc`), named with the text the user typed, instead of
 * lib/'s "received NaN of type number".
 */
export function notANumber(argv: Record<string, unknown>, words: readonly string[]): UsageError | null {
  for (const [key, v] of Object.entries(argv)) {
    if (!(typeof v === 'number' && Number.isNaN(v)) && !(Array.isArray(v) && v.some((x) => typeof x === 'number' && Number.isNaN(x)))) continue;
    if (key !== kebab(key) && `${kebab(key)}` in argv) continue; // report the kebab-case spelling once
    const flag = `--${kebab(key)}`;
    const i = words.findIndex((w) => w === flag || w.startsWith(`${flag}=`));
    const typed = i < 0 ? undefined : words[i].includes('=') ? words[i].slice(words[i].indexOf('=') + 1) : words[i + 1];
    return new UsageError(`Expected a number for ${flag} but received ${typed === undefined ? 'nothing' : `'${typed}'`}`);
  }
  return null;
}
