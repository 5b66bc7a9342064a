#!/usr/bin/python3
"""PacGAN's 25-Gaussian grid setting in PyTorch, as the authors' code sets it up
(github.com/fjxmlzn/PacGAN, synthetic_data_experiments/2DGrid_GAN&PacGAN: config.py,
pacgan_task.py, pacgan/bricks.py), to see outside ganlab whether its packed D leaves chance.

Not part of make check: a reference for docs/results.md ("Why PacGAN's setting is off").

    /usr/bin/python3 tests/reference/pacgan_grid_torch.py M STEPS SEED [--simultaneous]

G: 2-D N(0, I) -> four 400-unit Linear + batch norm (population momentum 0.05) + ReLU -> 2.
D: three maxout layers (200 units x 5 pieces) and a Linear, on the m samples of a pack side by
side (m x 2 inputs). Every weight N(0, 0.02), biases 0. Adam lr 1e-4, beta1 0.8, batch 100 packs.
Losses: D softplus(-D(x)) + softplus(D(G(z))), G non-saturating softplus(-D(G(z))).
Updates alternate (D on a real batch and fresh fakes, then G on fresh fakes), as ganlab's do;
--simultaneous takes both gradients from one forward pass before either update, as the authors'
code (ALI's ali_algorithm) does. Every 1000 steps one line: D's loss, mean sigmoid(D) on the real
and fake packs, and on 2,500 samples of G (population statistics) the grid's modes and % high
quality as ganlab's modes2d counts them (within 3 x 0.05 of the nearest centre).
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

STD, BATCH = 0.05, 100
CENTRES = torch.tensor([[i, j] for i in range(-4, 5, 2) for j in range(-4, 5, 2)],
                       dtype=torch.float)


class Maxout(nn.Module):
    def __init__(self, n_in, n_out, pieces):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out * pieces)
        self.n_out, self.pieces = n_out, pieces

    def forward(self, x):
        return self.linear(x).view(-1, self.n_out, self.pieces).max(2)[0]


def networks(m):
    g_layers, width = [], 2
    for _ in range(4):
        g_layers += [nn.Linear(width, 400), nn.BatchNorm1d(400, momentum=0.05), nn.ReLU()]
        width = 400
    g = nn.Sequential(*g_layers, nn.Linear(400, 2))
    d = nn.Sequential(Maxout(2 * m, 200, 5), Maxout(200, 200, 5), Maxout(200, 200, 5),
                      nn.Linear(200, 1))
    for mod in list(g.modules()) + list(d.modules()):
        if isinstance(mod, nn.Linear):
            nn.init.normal_(mod.weight, 0, 0.02)
            nn.init.zeros_(mod.bias)
    return g, d


def real(n):
    return CENTRES[torch.randint(0, 25, (n,))] + STD * torch.randn(n, 2)


def quality(g):
    g.eval()
    with torch.no_grad():
        dist = torch.cdist(g(torch.randn(2500, 2)), CENTRES)
    g.train()
    near, idx = dist.min(1)
    hq = near < 3 * STD
    return len(set(idx[hq].tolist())), 100.0 * hq.float().mean().item()


def main():
    m, steps, seed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    simultaneous = "--simultaneous" in sys.argv[4:]
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    g, d = networks(m)
    opt_g = torch.optim.Adam(g.parameters(), 1e-4, betas=(0.8, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), 1e-4, betas=(0.8, 0.999))

    def packed(x):
        return x.view(BATCH, 2 * m)

    for t in range(1, steps + 1):
        x = packed(real(BATCH * m))
        if simultaneous:
            d_real, d_fake = d(x), d(packed(g(torch.randn(BATCH * m, 2))))
            d_loss = (F.softplus(-d_real) + F.softplus(d_fake)).mean()
            g_loss = F.softplus(-d_fake).mean()
            d_grads = torch.autograd.grad(d_loss, list(d.parameters()), retain_graph=True)
            g_grads = torch.autograd.grad(g_loss, list(g.parameters()))
            for p, grad in zip(list(d.parameters()) + list(g.parameters()), d_grads + g_grads):
                p.grad = grad
            opt_d.step()
            opt_g.step()
        else:
            with torch.no_grad():
                fake = packed(g(torch.randn(BATCH * m, 2)))
            d_real, d_fake = d(x), d(fake)
            d_loss = (F.softplus(-d_real) + F.softplus(d_fake)).mean()
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
            g_loss = F.softplus(-d(packed(g(torch.randn(BATCH * m, 2))))).mean()
            opt_g.zero_grad()
            g_loss.backward()
            opt_g.step()
        if t % 1000 == 0:
            modes, hq = quality(g)
            print(f"m={m} step {t} d_loss {d_loss.item():.4f} "
                  f"d_x {torch.sigmoid(d_real).mean().item():.3f} "
                  f"d_g_z {torch.sigmoid(d_fake).mean().item():.3f} modes {modes} hq {hq:.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
