#!/usr/bin/python3
"""The PyTorch peer of `ganlab train` for tests/bench/bench_train.sh: exactly the same steps as
ganlab's shipped configs (the tutorial's networks and schedule; WGAN-GP's penalty and n_critic; the
conditional GAN's one-hot labels into G, projection D, G batch norm, Adam beta1 0.5 and linear
learning-rate decay; toy2d's ring; the DCGAN-shaped networks of plugins/model/dcgan.c with their
norms and label planes), on the same Fashion-MNIST IDX files, reading them the way ganlab does
(bytes in memory, scaled per batch). Prints one line: images/s (real images seen by D per second)
after a warm-up. Run with Debian's python3-torch:
  /usr/bin/python3 train_torch.py VARIANT STEPS THREADS [fp32|bf16]
VARIANT: gan, wgan_gp, cgan, toy2d (configs/toy/ring_gan.yaml), dcgan_gan, dcgan_wgan_gp, dcgan_cgan.
bf16: the forward passes and losses under torch.autocast("cpu", torch.bfloat16) (products in bf16,
weights, optimizer state and the backward's accumulation in fp32), PyTorch's own bf16 mode."""
import gzip
import math
import sys
import time

import numpy as np
import torch
from torch import nn

variant, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bf16 = len(sys.argv) > 4 and sys.argv[4] == "bf16"
dcgan = variant.startswith("dcgan_")
loss_kind = variant[len("dcgan_"):] if dcgan else variant
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

cond = loss_kind == "cgan"
wgan = loss_kind == "wgan_gp"
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


class DcganG(nn.Module):
    """dcgan.c's G: fc -> (128, 7, 7) -> BN, ReLU -> ConvT 4/2/1 -> BN, ReLU -> ConvT -> Tanh."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(latent + (n_classes if cond else 0), 128 * 7 * 7)
        self.model = nn.Sequential(
            nn.BatchNorm2d(128), nn.ReLU(), nn.ConvTranspose2d(128, 64, 4, 2, 1),
            nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.model(self.fc(z).view(-1, 128, 7, 7)).view(-1, item)


class DcganD(nn.Module):
    """dcgan.c's D: [label planes] Conv 4/2/1, LReLU, Conv, norm (batch; layer under the
    penalty), LReLU, flatten, fc."""

    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(1 + (n_classes if cond else 0), 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1))
        self.norm = nn.LayerNorm([128, 7, 7]) if wgan else nn.BatchNorm2d(128)
        self.act = nn.LeakyReLU(0.2)
        self.fc = nn.Linear(128 * 7 * 7, 1)

    def forward(self, x, y=None):
        x = x.view(-1, 1, 28, 28)
        if cond:
            x = torch.cat([x, eye[y][:, :, None, None].expand(-1, -1, 28, 28)], 1)
        # float(): autocast leaves layer_norm to its input's type, and its weights are fp32
        return self.fc(self.act(self.norm(self.model(x).float())).flatten(1))


if dcgan:
    G, D = DcganG(), DcganD()
else:
    G = mlp(latent + (n_classes if cond else 0), g_hidden, item, out_act, norm=cond)
    D = ProjectionD() if cond else mlp(item, d_hidden, 1, None)
lr, betas = (1e-4, (0.5, 0.9)) if wgan else (2e-4, (0.5 if cond and not dcgan else 0.9, 0.999))
if variant == "toy2d":
    lr, betas = 1e-3, (0.5, 0.999)
og = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
od = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
warm = max(steps // 10, 5)
if cond and not dcgan:  # cgan.yaml's train.lr_decay: linear over the run, once per G step
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


def autocast():
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16)


def step():
    for _ in range(n_critic):
        x, y = next_batch()
        b = x.shape[0]
        od.zero_grad()
        with autocast():
            fake = gen(b, y).detach()
            if wgan:
                eps = torch.rand(b, 1)
                xh = (eps * x + (1 - eps) * fake).requires_grad_(True)
                g, = torch.autograd.grad(disc(xh, y).sum(), xh, create_graph=True)
                gp = ((g.float().norm(2, dim=1) - 1) ** 2).mean()
                loss = disc(fake, y).float().mean() - disc(x, y).float().mean() + 10 * gp
            else:
                loss = (bce(disc(x, y).float(), torch.ones(b, 1)) +
                        bce(disc(fake, y).float(), torch.zeros(b, 1)))
        loss.backward()
        od.step()
    og.zero_grad()
    yg = torch.randint(0, n_classes, (b,))
    with autocast():
        out = disc(gen(b, yg), yg).float()
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
