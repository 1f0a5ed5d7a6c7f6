"""The same CNN+LSTM training step as native/model.cc + native/trainer.cc, in Python PyTorch,
for bench/train.ts to measure in the same run. Prints one JSON object.
Usage: python3 bench/train_python.py '<json config>'"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(1)
a = cfg["architecture"]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        blocks, cin = [], 1
        act = {"relu": nn.ReLU, "elu": nn.ELU, "gelu": nn.GELU}[a["activation"]]
        for i in range(4):
            c = a["channels"][i]
            blocks.append(nn.Sequential(nn.Conv2d(cin, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), act(),
                                        nn.MaxPool2d((a["poolFreq"][i], a["poolTime"][i])), nn.Dropout2d(a["convDropout"])))
            cin = c
        self.blocks = nn.ModuleList(blocks)
        mels = cfg["nMels"]
        for p in a["poolFreq"]:
            mels //= p
        self.lstm = nn.LSTM(a["channels"][3] * mels, a["lstmHidden"], a["lstmLayers"], batch_first=True,
                            bidirectional=a["bidirectional"], dropout=a["lstmDropout"] if a["lstmLayers"] > 1 else 0.0)
        out = a["lstmHidden"] * (2 if a["bidirectional"] else 1)
        self.drop = nn.Dropout(a["headDropout"])
        self.head = nn.Linear(out, cfg["nClasses"])
        self.register_buffer("mean", torch.zeros(cfg["nMels"]))
        self.register_buffer("std", torch.ones(cfg["nMels"]))

    def forward(self, x):
        x = (x - self.mean.view(1, 1, -1, 1)) / self.std.view(1, 1, -1, 1)
        for b in self.blocks:
            x = b(x)
        n, c, m, t = x.shape
        x = x.permute(0, 3, 1, 2).reshape(n, t, c * m)
        seq, _ = self.lstm(x)
        return self.head(self.drop(seq.mean(1)))


net = Net()
opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
n, frames = cfg["samples"], cfg["frames"]
feats = torch.randn(n, cfg["nMels"], frames) * 10 - 40
labels = torch.randint(0, cfg["nClasses"], (n,))
bs = cfg["batchSize"]


def epoch():
    net.train()
    order = torch.randperm(n)
    for s in range(0, n, bs):
        idx = order[s:s + bs]
        if len(idx) < 2:
            continue
        x = feats.index_select(0, idx).unsqueeze(1)
        y = labels.index_select(0, idx)
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y, label_smoothing=0.05)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()


epoch()  # warm-up
times = []
for _ in range(cfg["repeats"]):
    t0 = time.perf_counter()
    epoch()
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"samplesPerSecond": n / times[len(times) // 2], "torch": torch.__version__}))
