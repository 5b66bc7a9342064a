#!/usr/bin/python3
"""The PyTorch peer of `ganlab train` for tests/bench/bench_train.sh: exactly the same steps as
ganlab's shipped configs (the tutorial's networks and schedule; WGAN-GP's penalty and n_critic; the
conditional GAN's one-hot labels into G, projection D, G batch norm, Adam beta1 0.5 and linear
learning-rate decay; toy2d's ring), on the same Fashion-MNIST IDX files, reading them the
way ganlab does (bytes in memory, scaled per batch). Prints one line: images/s (real images seen by D
per second) after a warm-up. Run with Debian's python3-torch: /usr/bin/python3 train_torch.py VARIANT
STEPS THREADS."""
import gzip
import math
import sys
import time

import numpy as np
import torch
from torch import nn

variant, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(1)

if variant == "toy2d":
    k = torch.arange(8, dtype=torch.float32) * (2 * math.pi / 8)
    centres = torch.stack([2 * torch.cos(k), 2 * torch.sin(k)], 1)
    labels_all = torch.randint(0, 8, (100000,))
    data = centres[labels_all] + 0.02 * torch.randn(100000, 2)
    n_classes, item, latent, batch = 8, 2, 2, 256
    g_hidden, d_hidden, act = [128, 128, 128], [128, 128, 128], nn.ReLU
    out_act = None
else:
    root = "/usr/share/datasets/fashion-mnist/"
    with gzip.open(root + "train-images-idx3-ubyte.gz") as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(root + "train-labels-idx1-ubyte.gz") as f:
        labels_all = torch.from_numpy(np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64))
    data = torch.from_numpy(raw.copy())
    n_classes, item, latent, batch = 10, 784, 100, 64
    g_hidden, d_hidden = [256, 512, 1024], [512, 256]
    act = lambda: nn.LeakyReLU(0.2)
    out_act = nn.Tanh

cond = variant == "cgan"
wgan = variant == "wgan_gp"
n_critic = 5 if wgan else 1


def mlp(inp, hidden, out, last, norm=False):
    layers, w = [], inp
    for h in hidden:
        layers += [nn.Linear(w, h)] + ([nn.BatchNorm1d(h)] if norm else []) + [act()]
        w = h
    if out:
        layers.append(nn.Linear(w, out))
    if last:
        layers.append(last())
    return nn.Sequential(*layers)


class ProjectionD(nn.Module):
    """ganlab's d_condition: projection: head(h) + <proj[y], h>."""

    def __init__(self):
        super().__init__()
        self.body = mlp(item, d_hidden, 0, None)
        self.head = nn.Linear(d_hidden[-1], 1)
        self.proj = nn.Embedding(n_classes, d_hidden[-1])

    def forward(self, x, y):
        h = self.body(x)
        return self.head(h) + (self.proj(y) * h).sum(1, keepdim=True)


G = mlp(latent + (n_classes if cond else 0), g_hidden, item, out_act, norm=cond)
D = ProjectionD() if cond else mlp(item, d_hidden, 1, None)
lr, betas = (1e-4, (0.5, 0.9)) if wgan else (2e-4, (0.5 if cond else 0.9, 0.999))
if variant == "toy2d":
    lr, betas = 1e-3, (0.5, 0.999)
og = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
od = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
warm = max(steps // 10, 5)
if cond:   # train.lr_decay: linear over the whole run, stepped once per generator step
    decay = lambda t: max(0.0, 1 - t / (warm + steps))
    schedulers = [torch.optim.lr_scheduler.LambdaLR(o, decay) for o in (og, od)]
else:
    schedulers = []
bce = nn.BCEWithLogitsLoss()
eye = torch.eye(n_classes)
n = data.shape[0]
order, pos = torch.randperm(n), 0


def next_batch():
    global order, pos
    if pos >= n:
        order, pos = torch.randperm(n), 0
    idx = order[pos:pos + batch]
    pos += len(idx)
    x = data[idx]
    if variant != "toy2d":
        x = (x.float() / 255 - 0.5) / 0.5
    return x, labels_all[idx]


def gen(b, y):
    z = torch.randn(b, latent)
    return G(torch.cat([z, eye[y]], 1) if cond else z)


def disc(x, y):
    return D(x, y) if cond else D(x)


def step():
    for _ in range(n_critic):
        x, y = next_batch()
        b = x.shape[0]
        od.zero_grad()
        fake = gen(b, y).detach()
        if wgan:
            eps = torch.rand(b, 1)
            xh = (eps * x + (1 - eps) * fake).requires_grad_(True)
            g, = torch.autograd.grad(disc(xh, y).sum(), xh, create_graph=True)
            gp = ((g.norm(2, dim=1) - 1) ** 2).mean()
            loss = disc(fake, y).mean() - disc(x, y).mean() + 10 * gp
        else:
            loss = bce(disc(x, y), torch.ones(b, 1)) + bce(disc(fake, y), torch.zeros(b, 1))
        loss.backward()
        od.step()
    og.zero_grad()
    yg = torch.randint(0, n_classes, (b,))
    out = disc(gen(b, yg), yg)
    loss = -out.mean() if wgan else bce(out, torch.ones(b, 1))
    loss.backward()
    og.step()
    for sch in schedulers:
        sch.step()


for _ in range(warm):
    step()
t = time.perf_counter()
for _ in range(steps):
    step()
dt = time.perf_counter() - t
print(f"{steps * n_critic * batch / dt:.1f}")
