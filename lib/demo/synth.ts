/**
 * Source-filter synthesis of one demo utterance (a Klatt-style cascade formant synthesiser).
 *
 * Source: a Rosenberg glottal-flow-derivative pulse train with jitter, shimmer, optional tremor and
 * creaky (irregular, weak, long) pulses; vocal effort sets the open quotient and a one-pole spectral
 * tilt, breathiness mixes in aspiration noise modulated by the glottal opening. Filter: five
 * resonators in cascade, F1-F3 following the vowel targets of the statement's syllables (with
 * coarticulation and diphthong glides), F4-F5 fixed by vocal-tract length. Consonants: stop
 * closures (silent or with a voice bar), noise bursts and fricatives through a separate band-pass.
 * Controls are updated every 2 ms and interpolated per sample.
 */
import * as is from '../is';
import { Rng } from '../random';
import { STATEMENTS, Syllable } from './statements';
import { UtteranceParams } from './voice';

// Hot loops call Math through a module-level alias: under vm contexts (jest's test environment)
// every global lookup goes through an interceptor and is ~50x slower; elsewhere this costs nothing.
const M = Math;

export interface SynthOptions {
  /** Output rate, Hz (default 16000, at least 11025). */
  sampleRate?: number;
  /** Typical clip length, s: silence is added around the speech; slow speech makes longer clips. */
  clipSeconds?: number;
}

type SegKind = 'closure' | 'burst' | 'fric' | 'vowel' | 'pause';

interface Segment {
  kind: SegKind;
  start: number; // samples
  end: number;
  syl: number;
}

/** Control-rate block: 32 samples = 2 ms at 16 kHz. */
const BLOCK = 32;
const F4 = 3500;
const F5 = 4500;
const BANDWIDTHS = [70, 90, 130, 220, 300];

const smoothstep = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));
const lerp = (a: number, b: number, t: number): number => a + (b - a) * t;

/** Lay out the syllables in time: onset consonant segments, vowels, the phrase-break pause. */
function layout(syllables: Syllable[], p: UtteranceParams, fs: number, rng: Rng): { segments: Segment[]; length: number } {
  const n = syllables.length;
  const weights = syllables.map((s, i) => {
    const w = (s.stressed ? 1.25 : 0.85) * (i === n - 1 ? 1.35 : 1) * (1 + 0.08 * rng.normal());
    return M.min(1.8, M.max(0.5, w));
  });
  const total = weights.reduce((a, b) => a + b, 0);
  const segments: Segment[] = [];
  let t = 0;
  const push = (kind: SegKind, seconds: number, syl: number): void => {
    const len = M.max(1, M.round(seconds * fs));
    segments.push({ kind, start: t, end: t + len, syl });
    t += len;
  };
  syllables.forEach((s, i) => {
    const d = (weights[i] / total) * (n / p.rate);
    let onset = 0;
    if (s.onset.kind === 'stop') {
      const closure = M.max(0.02, 0.2 * d);
      push('closure', closure, i);
      push('burst', 0.012, i);
      onset = closure + 0.012;
    } else if (s.onset.kind === 'fricative') {
      onset = M.max(0.04, 0.3 * d);
      push('fric', onset, i);
    }
    push('vowel', M.max(0.05, d - onset), i);
    if (s.breakAfter && p.pause > 0.015) push('pause', p.pause, i);
  });
  return { segments, length: t };
}

/** Render one utterance to samples in [-1, 1] (level set by p.levelDb, background noise added). */
export function synthesizeUtterance(p: UtteranceParams, options: SynthOptions = {}): Float32Array {
  const fs = options.sampleRate ?? 16000;
  if (!Number.isInteger(fs) || fs < 11025) throw is.invalidArgument(`synthesizeUtterance: sampleRate must be an integer >= 11025, got ${fs}`, 'range');
  const clipSeconds = options.clipSeconds ?? 2.5;
  if (!(clipSeconds > 0)) throw is.invalidArgument(`synthesizeUtterance: clipSeconds must be > 0, got ${clipSeconds}`, 'range');
  const rng = new Rng(p.seed);
  const syllables = STATEMENTS[p.statement];
  const { segments, length: speechLen } = layout(syllables, p, fs, rng);

  // Clip: the speech with silence around it; never less than 0.15 s on either side.
  const margin = M.round(0.15 * fs);
  const clipLen = M.max(M.round(clipSeconds * fs * rng.uniform(0.92, 1.08)), speechLen + 2 * margin);
  const lead = margin + M.floor((clipLen - speechLen - 2 * margin) * rng.uniform(0.3, 0.7));
  for (const s of segments) {
    s.start += lead;
    s.end += lead;
  }

  // Per-syllable level (dB): stressed syllables louder, plus random dynamics.
  const sylGain = syllables.map((s) => M.pow(10, (p.dynamicsDb * (s.stressed ? 0.7 : -0.35) + 0.6 * p.dynamicsDb * rng.normal()) / 20));
  const vowels = segments.filter((s) => s.kind === 'vowel');
  const voicedStart = vowels[0].start;
  const voicedEnd = vowels[vowels.length - 1].end;
  const stressCentres = vowels.filter((s) => syllables[s.syl].stressed).map((s) => (s.start + s.end) / 2);

  // ---- control tracks, one value per block ----
  const nBlocks = M.ceil(clipLen / BLOCK);
  const f0 = new Float64Array(nBlocks + 1);
  const av = new Float64Array(nBlocks + 1); // voicing amplitude
  const asp = new Float64Array(nBlocks + 1); // aspiration amplitude (besides breathiness)
  const fr = new Float64Array(nBlocks + 1); // frication amplitude
  const frHz = new Float64Array(nBlocks + 1);
  const frBw = new Float64Array(nBlocks + 1);
  const fm = [new Float64Array(nBlocks + 1), new Float64Array(nBlocks + 1), new Float64Array(nBlocks + 1)];

  const shapeSum = p.fall + p.rise + p.hat || 1;
  const tremorPhase = rng.uniform(0, 2 * M.PI);
  const accentWidth = 0.06 * fs;
  const attack = 0.02 * fs;
  const release = 0.035 * fs;
  const vot = 0.025 * fs;
  const f1Scale = p.formantScale * (1 + p.f1Shift);
  let wander = 0;
  let seg = 0;
  let prevVowel = syllables[0].vowel;
  let curF: [number, number, number] = [...syllables[0].vowel];
  for (let b = 0; b <= nBlocks; b++) {
    const t = b * BLOCK;
    // Pitch: contour mix over the voiced span, accents, slow wander, tremor.
    const u = M.min(1, M.max(0, (t - voicedStart) / (voicedEnd - voicedStart)));
    const rise = u < 0.6 ? -0.2 : -0.2 + 1.2 * ((u - 0.6) / 0.4) ** 2;
    const hat = M.sin(M.PI * u) - 0.5;
    let st = (p.f0Range * (p.fall * (0.5 - u) + p.rise * rise + p.hat * hat)) / shapeSum;
    for (const c of stressCentres) {
      const z = (t - c) / accentWidth;
      if (z > -4 && z < 4) st += p.accent * M.exp(-0.5 * z * z);
    }
    wander = 0.995 * wander + 0.04 * rng.normal();
    st += wander + p.tremor * M.sin((2 * M.PI * p.tremorHz * t) / fs + tremorPhase);
    f0[b] = p.f0Hz * M.pow(2, st / 12);

    while (seg < segments.length && segments[seg].end <= t) {
      if (segments[seg].kind === 'vowel') prevVowel = syllables[segments[seg].syl].glideTo ?? syllables[segments[seg].syl].vowel;
      seg++;
    }
    const s = seg < segments.length && segments[seg].start <= t ? segments[seg] : null;
    if (!s) continue; // silence: all amplitudes stay 0, formants hold
    const syl = syllables[s.syl];
    const x = (t - s.start) / (s.end - s.start);
    const g = sylGain[s.syl];
    const on = syl.onset;
    if (s.kind === 'vowel') {
      const tt = t - s.start;
      const env = smoothstep(tt / attack) * smoothstep((s.end - t) / release);
      av[b] = env * g;
      if (on.kind === 'stop' && !on.voiced && tt < vot) {
        // Voice onset time after an unvoiced stop: aspiration first, voicing fades in.
        av[b] *= tt / vot;
        asp[b] = 0.5 * g * (1 - tt / vot);
      }
      const co = smoothstep(x / 0.3);
      const gl = syl.glideTo ? smoothstep((x - 0.35) / 0.65) : 0;
      for (let k = 0; k < 3; k++) {
        const target = syl.glideTo ? lerp(syl.vowel[k], syl.glideTo[k], gl) : syl.vowel[k];
        curF[k] = lerp(prevVowel[k], target, co);
      }
    } else if (s.kind === 'closure') {
      av[b] = on.kind === 'stop' && on.voiced ? 0.06 * g : 0; // voice bar of b/d/g
      curF = [250, syl.vowel[1], syl.vowel[2]];
    } else if (s.kind === 'burst' && on.kind === 'stop') {
      fr[b] = 1.0 * g * (1 - x);
      frHz[b] = on.burstHz;
      frBw[b] = 2000;
    } else if (s.kind === 'fric' && on.kind === 'fricative') {
      const env = M.sin(M.PI * x);
      fr[b] = (on.voiced ? 0.25 : 0.8) * env * g;
      frHz[b] = on.noiseHz;
      frBw[b] = on.bandwidthHz;
      av[b] = on.voiced ? 0.35 * env * g : 0;
      curF = [300, syl.vowel[1], syl.vowel[2]];
    }
    fm[0][b] = curF[0] * f1Scale;
    fm[1][b] = curF[1] * p.formantScale;
    fm[2][b] = curF[2] * p.formantScale;
  }
  // Silent blocks were left at 0: hold the nearest formant values instead.
  for (const track of fm) {
    let last = track.find((v) => v > 0) ?? 500;
    for (let b = 0; b <= nBlocks; b++) {
      if (track[b] > 0) last = track[b];
      else track[b] = last;
    }
  }

  // ---- sample loop ----
  const out = new Float32Array(clipLen);
  const invFs = 1 / fs;
  const oq = 0.8 - 0.45 * p.tension; // open quotient: pressed voice closes early
  const tp = 0.62 * oq;
  const tn = 0.38 * oq;
  const kRise = (0.5 * M.PI) / tp;
  const kFall = M.PI / (2 * tn);
  const tilt = 0.05 + 0.55 * (1 - p.tension); // one-pole low-pass: lax voice has a steeper spectrum
  const breath = 2.5 * p.breathiness;
  // Resonator state and coefficients (Klatt: y = A x + B y1 + C y2, unity gain at DC).
  const y1 = new Float64Array(5);
  const y2 = new Float64Array(5);
  const cA = new Float64Array(5);
  const cB = new Float64Array(5);
  const cC = new Float64Array(5);
  const fMax = 0.45 * fs; // keep every formant safely below Nyquist at low output rates
  const setResonator = (k: number, hz: number, bw: number): void => {
    const f = M.min(hz, fMax);
    const r = M.exp(-M.PI * bw * invFs);
    cB[k] = 2 * r * M.cos(2 * M.PI * f * invFs);
    cC[k] = -r * r;
    cA[k] = 1 - cB[k] - cC[k];
  };
  const bw1 = BANDWIDTHS[0] + 120 * p.breathiness; // an open glottis damps F1
  setResonator(3, F4 * p.formantScale, BANDWIDTHS[3]);
  setResonator(4, F5 * p.formantScale, BANDWIDTHS[4]);
  // Band-pass (RBJ, 0 dB peak) for frication.
  let fb0 = 0;
  let fa1 = 0;
  let fa2 = 0;
  let fx1 = 0;
  let fx2 = 0;
  let fy1 = 0;
  let fy2 = 0;

  let phase = rng.float();
  let fMult = 1;
  let pulseAmp = 1;
  let tiltState = 0;
  let noiseState = 0;
  for (let b = 0; b < nBlocks; b++) {
    setResonator(0, fm[0][b], bw1);
    setResonator(1, fm[1][b], BANDWIDTHS[1]);
    setResonator(2, fm[2][b], BANDWIDTHS[2]);
    if (fr[b] > 0 || fr[b + 1] > 0) {
      const hz = M.min(0.45 * fs, frHz[b] || frHz[b + 1]);
      const w0 = 2 * M.PI * hz * invFs;
      const alpha = M.sin(w0) / (2 * (hz / (frBw[b] || frBw[b + 1])));
      const a0 = 1 + alpha;
      fb0 = alpha / a0;
      fa1 = (-2 * M.cos(w0)) / a0;
      fa2 = (1 - alpha) / a0;
    }
    const i0 = b * BLOCK;
    const i1 = M.min(clipLen, i0 + BLOCK);
    const f0a = f0[b];
    const df0 = (f0[b + 1] - f0a) / BLOCK;
    const ava = av[b];
    const dav = (av[b + 1] - ava) / BLOCK;
    const aspa = asp[b];
    const dasp = (asp[b + 1] - aspa) / BLOCK;
    const fra = fr[b];
    const dfr = (fr[b + 1] - fra) / BLOCK;
    for (let i = i0; i < i1; i++) {
      const j = i - i0;
      phase += (f0a + df0 * j) * fMult * invFs;
      if (phase >= 1) {
        phase -= 1;
        fMult = M.min(1.3, M.max(0.7, 1 + p.jitter * rng.normal()));
        pulseAmp = M.max(0.2, 1 + p.shimmer * rng.normal());
        if (p.creak > 0 && rng.float() < p.creak) {
          fMult *= rng.uniform(0.5, 0.7);
          pulseAmp *= rng.uniform(0.3, 0.7);
        }
      }
      let dg = 0;
      let flow = 0;
      if (phase < tp) {
        const a = (M.PI * phase) / tp;
        dg = kRise * M.sin(a);
        flow = 0.5 - 0.5 * M.cos(a);
      } else if (phase < tp + tn) {
        const a = (M.PI * (phase - tp)) / (2 * tn);
        dg = -kFall * M.sin(a);
        flow = M.cos(a);
      }
      tiltState = (1 - tilt) * dg + tilt * tiltState;
      const voicing = ava + dav * j;
      // Aspiration gets half the source tilt: lax voices are duller in their noise too.
      noiseState = (1 - 0.5 * tilt) * (2 * rng.float() - 1) + 0.5 * tilt * noiseState;
      const noise = noiseState;
      let x = voicing * (pulseAmp * tiltState + breath * noise * (0.3 + 0.7 * flow)) + (aspa + dasp * j) * noise;
      for (let k = 0; k < 5; k++) {
        const y = cA[k] * x + cB[k] * y1[k] + cC[k] * y2[k];
        y2[k] = y1[k];
        y1[k] = y;
        x = y;
      }
      const frAmp = fra + dfr * j;
      if (frAmp > 0) {
        const w = 2 * rng.float() - 1;
        const y = fb0 * (w - fx2) - fa1 * fy1 - fa2 * fy2;
        fx2 = fx1;
        fx1 = w;
        fy2 = fy1;
        fy1 = y;
        x += frAmp * y;
      } else if (fy1 !== 0) {
        // Frication envelopes end at 0, so restarting from rest adds no click.
        fx1 = fx2 = fy1 = fy2 = 0;
      }
      out[i] = x;
    }
  }

  // Level: RMS of the speech span to the target, then the speaker's background noise.
  const s0 = segments[0].start;
  const s1 = segments[segments.length - 1].end;
  let sum = 0;
  for (let i = s0; i < s1; i++) sum += out[i] * out[i];
  const rms = M.sqrt(sum / M.max(1, s1 - s0));
  const gain = rms > 0 ? M.pow(10, p.levelDb / 20) / rms : 0;
  const floor = M.pow(10, p.noiseFloorDb / 20) * M.sqrt(3); // uniform noise of that RMS
  for (let i = 0; i < clipLen; i++) {
    let v = out[i] * gain + floor * (2 * rng.float() - 1);
    // Soft limit above 0.9 instead of hard clipping loud strong anger.
    const a = M.abs(v);
    if (a > 0.9) v = M.sign(v) * (0.9 + 0.1 * M.tanh((a - 0.9) / 0.1));
    out[i] = v;
  }
  return out;
}
