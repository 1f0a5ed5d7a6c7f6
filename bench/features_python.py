#!/usr/bin/env python3
"""The Python side of bench/features.ts: the same log-mel work with librosa and with PyTorch.

A line protocol on stdin/stdout, so that bench/features.ts can time each case of ours and
Python's back to back (the machine's load drifts; separate phases would bias the ratios).
First line in:  {"threads": 2, "seconds": 2.0, "warmup": 2, "minReps": 3,
                 "signals": "<clips.f32>", "clipSamples": 64000}
First line out: {"versions": {...}, "missing": {"librosa": "why", ...}}
Then per line:  {"impl": "librosa"|"torch", "batch": 32, "options": {<LogMelOptions>}, "save": "<file.f32>"|null}
           out: {"medianSeconds": 0.012, "reps": 160} (and clip 0's [nMels, frames] dB in "save")
A library that does not import is reported in "missing"; the TS side then does not ask for it.
Run by hand: echo '<first line>' | python3 bench/features_python.py
"""
import json
import os
import statistics
import sys
import time

job = json.loads(sys.stdin.readline())
THREADS = str(job["threads"])
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, THREADS)

missing = {}
versions = {"python": sys.version.split()[0]}
try:
    import numpy as np

    versions["numpy"] = np.__version__
except Exception as e:  # noqa: BLE001 - report any import failure, not only ImportError
    print(json.dumps({"versions": versions, "missing": {"numpy": repr(e), "librosa": "needs numpy", "torch": "needs numpy"}}), flush=True)
    sys.exit(0)
try:
    import librosa

    versions["librosa"] = librosa.__version__
except Exception as e:  # noqa: BLE001
    librosa = None
    missing["librosa"] = repr(e)
try:
    import torch

    torch.set_num_threads(int(THREADS))
    versions["torch"] = torch.__version__
except Exception as e:  # noqa: BLE001
    torch = None
    missing["torch"] = repr(e)


def measure(fn):
    """Median wall time of fn() after warm-up, repeated for job['seconds'] (at least minReps times)."""
    for _ in range(job["warmup"]):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < job["minReps"] or time.perf_counter() - start < job["seconds"]:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), len(times)


def librosa_logmel(y, o):
    """librosa.feature.melspectrogram on the [batch, samples] array, then power_to_db per clip
    (top_db is relative to each clip's own maximum, as in ser-native and torchaudio)."""
    S = librosa.feature.melspectrogram(
        y=y, sr=o["sampleRate"], n_fft=o["nFft"], hop_length=o["hopLength"], win_length=o["winLength"],
        window="hann", center=o["center"], pad_mode=o["padMode"], power=o["power"], n_mels=o["nMels"],
        fmin=o["fMin"], fmax=o["fMax"], htk=o["melScale"] == "htk", norm=o["norm"],
    )
    return np.stack([librosa.power_to_db(s, ref=o["ref"], amin=o["amin"], top_db=o["topDb"]) for s in S])


def hz_to_mel(f, htk):
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_sp, min_log_hz, log_step = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    return f / f_sp if f < min_log_hz else min_log_hz / f_sp + np.log(f / min_log_hz) / log_step


def mel_to_hz(m, htk):
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp, min_log_hz, log_step = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    return np.where(m < min_log_mel, f_sp * m, min_log_hz * np.exp(log_step * (m - min_log_mel)))


def mel_filterbank(o):
    """[nFreqs, nMels] triangles, as torchaudio.functional.melscale_fbanks (no torchaudio needed)."""
    htk = o["melScale"] == "htk"
    n_freqs = o["nFft"] // 2 + 1
    all_freqs = np.linspace(0, o["sampleRate"] // 2, n_freqs)
    m_pts = np.linspace(hz_to_mel(o["fMin"], htk), hz_to_mel(o["fMax"], htk), o["nMels"] + 2)
    f_pts = mel_to_hz(m_pts, htk)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    fb = np.maximum(0.0, np.minimum(down, up))
    if o["norm"] == "slaney":
        fb *= 2.0 / (f_pts[2 : o["nMels"] + 2] - f_pts[: o["nMels"]])
    return torch.from_numpy(fb.astype(np.float32))


def torch_logmel(x, o, fb, window):
    """torch.stft → |X|^power → mel matmul → dB (torchaudio MelSpectrogram + AmplitudeToDB)."""
    spec = torch.stft(x, o["nFft"], hop_length=o["hopLength"], win_length=o["winLength"], window=window,
                      center=o["center"], pad_mode=o["padMode"], return_complex=True)
    power = spec.abs().pow(o["power"])
    mel = torch.matmul(power.transpose(-1, -2), fb).transpose(-1, -2)
    mult = 10.0 * (2.0 / o["power"])
    db = mult * torch.log10(torch.clamp(mel, min=o["amin"])) - mult * np.log10(max(o["amin"], o["ref"]))
    if o["topDb"] is not None:
        db = torch.maximum(db, db.amax(dim=(-2, -1), keepdim=True) - o["topDb"])
    return db


signals = np.fromfile(job["signals"], dtype="<f4").reshape(-1, job["clipSamples"])
print(json.dumps({"versions": versions, "missing": missing}), flush=True)
cache = {}
for line in sys.stdin:
    req = json.loads(line)
    o = req["options"]
    y = np.ascontiguousarray(signals[: req["batch"]])
    if req["impl"] == "librosa":
        fn = lambda: librosa_logmel(y, o)  # noqa: E731
    else:
        key = json.dumps(o, sort_keys=True)
        if key not in cache:  # built once per preset, like ser-native's cached filterbank and window
            cache[key] = (mel_filterbank(o), torch.hann_window(o["winLength"]))
        fb, window = cache[key]
        x = torch.from_numpy(y)
        fn = lambda: torch_logmel(x, o, fb, window)  # noqa: E731
    median, reps = measure(fn)
    if req.get("save"):
        np.asarray(fn()[0], dtype="<f4").tofile(req["save"])
    print(json.dumps({"medianSeconds": median, "reps": reps}), flush=True)
