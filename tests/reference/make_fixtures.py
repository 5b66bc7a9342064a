#!/usr/bin/python3
"""make_fixtures.py - writes the PyTorch reference fixtures that tests/unit/test_fixtures.c checks
ganlab's engine against. Not run by `make check`: the fixtures it writes are committed.

Run with Debian's python3-torch (NOT a pyenv/venv python without torch):
    /usr/bin/python3 tests/reference/make_fixtures.py [OUTDIR]      (default: tests/reference/fixtures)

Everything is deterministic (fixed torch.Generator seeds). Weights and inputs are generated in
float32 (weights rounded to float16 so they are stored in half the space, exactly), then every
reference value is computed in float64 from those exact values and stored as float32: the stored
numbers are the true results to float32 rounding, so the only error a test sees is its own.

File format (".tensors", little-endian), read by tests/unit/fixture.c:
    8 bytes  magic "GLTENSR1"
    uint32   number of tensors
    per tensor:
        uint16  name length, then the name (ASCII, no NUL)
        uint8   dtype: 1 = float32, 2 = float16 (IEEE binary16)
        uint8   ndim (scalars are stored with shape (1))
        uint32  dims[ndim]
        data    prod(dims) values, row-major (PyTorch's layout: Linear weight (out, in),
                Conv2d weight (out, in, kh, kw), ConvTranspose2d weight (in, out, kh, kw))
MANIFEST.txt lists every tensor with dtype, shape, sum and max |x| (%.9g), so a diff of the
fixtures is readable.

Fixtures (batch B = 8 throughout):
  tutorial.tensors  the tutorial GAN (tutorial_gan.py): D = Linear 784-512-256-1, LeakyReLU(0.2),
                    Sigmoid; G = Linear 100-256-512-1024-784, LeakyReLU(0.2), Tanh. Weights D.*, G.*;
                    inputs x (B, 784) in [-1, 1] on the byte grid, z_d, z_g (B, 100).
                    D step: d.fake = G(z_d); d.logit_real, d.prob_real, d.logit_fake, d.prob_fake (B, 1);
                    d.loss_real = BCE(D(x), 1), d.loss_fake = BCE(D(d.fake), 0) (batch means),
                    d.loss = their sum (as the tutorial sums them); d.grad.D.* = d d.loss / d D.*.
                    G step: g.fake = G(z_g), g.logit, g.prob, g.loss = BCE(D(g.fake), 1)
                    (non-saturating); g.grad.G.* = d g.loss / d G.*.
  wgan_gp.tensors   the same D weights (from tutorial.tensors) without the sigmoid as a critic C;
                    inputs x (= tutorial x), fake (B, 784), eps (B, 1) ~ U[0, 1).
                    x_hat = eps x + (1 - eps) fake; gp.grad_x_hat = d sum C(x_hat) / d x_hat (B, 784);
                    gp.grad_norm (B) = ||gp.grad_x_hat||_2 per row; gp.penalty = 10 mean((norm - 1)^2);
                    gp.c_real, gp.c_fake (B, 1); gp.loss = mean C(fake) - mean C(x) + gp.penalty;
                    gp.grad.D.* = d gp.loss / d D.* (through the penalty: double backward).
  dcgan.tensors     G: z (B, 16) -> Linear(16, 32*7*7) -> LeakyReLU(0.2) -> view (32, 7, 7)
                    -> ConvTranspose2d(32, 16, 4, 2, 1) -> LeakyReLU(0.2)
                    -> ConvTranspose2d(16, 1, 4, 2, 1) -> Tanh: (B, 1, 28, 28).
                    D: Conv2d(1, 16, 4, 2, 1) -> LeakyReLU(0.2) -> Conv2d(16, 32, 4, 2, 1)
                    -> LeakyReLU(0.2) -> flatten (B, 1568) -> Linear(1568, 1).
                    DL (layer-norm variant): Conv2d(1,16,4,2,1) -> LeakyReLU -> Conv2d(16,32,4,2,1)
                    -> LayerNorm([32, 7, 7], eps 1e-5, affine) -> LeakyReLU -> flatten -> Linear.
                    Names follow nn.Sequential indices: G.0 linear, G.3 and G.5 transposed convs;
                    D.0, D.2 convs, D.5 linear; DL.0, DL.2 convs, DL.3 layer norm, DL.6 linear.
                    Inputs z (B, 16), x (B, 1, 28, 28).
                    conv.g_out = G(z); conv.d_real = D(x); conv.d_fake = D(G(z)) (B, 1).
                    conv.d_loss = mean D(x) - mean D(G(z)) with G(z) detached:
                      conv.grad.D.* and conv.grad_x = d conv.d_loss / d x.
                    conv.g_loss = -mean D(G(z)): conv.grad.G.* and conv.grad_z = d conv.g_loss / d z.
                    ln.d_real = DL(x); ln.loss = mean DL(x): ln.grad.DL.*, ln.grad_x.
  adam.tensors      torch.optim.Adam(lr 2e-4, betas (0.9, 0.999), eps 1e-8) on two tensors
                    p.a (64) and p.b (16, 8): inputs p0.*, grads g1.* and g2.* (float32);
                    p1.*, p2.* after steps 1 and 2 computed in float64, d1.* = p1 - p0 and
                    d2.* = p2 - p1 the updates (float64, then stored); f1.*, f2.* the same two steps
                    run by torch in float32 (matched to a few ulps). Parameters are ~0.05 in
                    size so that float32 rounding of p is small next to an update of ~2e-4; the
                    grads span 1e-6 .. 1 so the eps placement matters.
  cond.tensors      the conditional mlp model plugin (plugins/model/mlp.c, conditional: true) on
                    items of 16 values in 3 classes: latent_dim 6, g_hidden [12], d_hidden [10, 8],
                    LeakyReLU(0.2), Tanh output; parameters named as the plugin names them. Two
                    configurations T:
                    P (label_mode one_hot, d_condition projection): P.G gets one_hot(y) after z;
                      P.D sees x alone and outputs model.4(h) + sum(proj.weight[y] * h, dim 1),
                      h = the last LeakyReLU's output, proj.weight (3, 8) declared last.
                    E (label_mode embedding, embed_dim 5, d_condition input): E.G and E.D each
                      concatenate rows of their own label_emb.weight (3, 5) (declared first)
                      after z and after x.
                    The tables (label_emb, proj) are N(0, 1), torch's Embedding default.
                    Inputs z (B, 6), x (B, 16) on the byte grid, y (B) the labels as float32
                    values (every class present), x_hat (B, 16) ~ U[-1, 1).
                    For each T: T.g_out = G(z, y) (B, 16); T.d_out = D(x, y) (B, 1); T.d_mean =
                    mean D(x, y): T.grad.D.* and T.grad_x = d T.d_mean / d x; T.d_fake =
                    D(G(z, y), y) and T.g_mean its mean: T.grad.G.* = d T.g_mean / d G.*.
                    Gradient penalty through P.D: P.gp.grad_x_hat = d sum P.D(x_hat, y) / d x_hat,
                    P.gp.grad_norm (B), P.gp.penalty = 10 mean((norm - 1)^2),
                    P.gp.grad.D.* = d P.gp.penalty / d P.D.* (double backward).
  zc.tensors        the core's zero-centred penalties on the tutorial D step (tutorial.tensors'
                    D as logits, its x, and its fakes d.fake = G(z_d)): zc.r1 = mean_i
                    ||d D(x)_i / d x_i||^2, zc.r2 the same at the fakes; zc.penalty = 10/2 zc.r1
                    + 4/2 zc.r2 (r1_gamma 10, r2_gamma 4); zc.grad.D.* = d zc.penalty / d D.*
                    (double backward); zc.loss = BCE(D(x), 1) + BCE(D(fake), 0) + zc.penalty.
  dreg.tensors      D's regularisers of the model plugins (own generator seed), four critics T in
                    train mode, LeakyReLU(0.2), weights T.D.* (spectral-norm'd layers: the weight
                    before normalisation, torch's weight_orig):
                    sn: Linear 16-10-8-1, every Linear under torch.nn.utils.spectral_norm, its
                        weight_u / weight_v set to T.NAME.u0 / v0 ~ N(0, 1) before the forwards;
                    mb: Linear 16-10-8, minibatch std (one feature), Linear 9-1;
                    mx: Linear 16-30, maxout 3 pieces (view (B, 3, 10), max over pieces),
                        Linear 10-24, maxout 3, Linear 8-1;
                    cv: Conv(1, 4, 4, 2, 1), Conv(4, 8, 4, 2, 1), minibatch std (one plane),
                        Linear(36, 1) on 8x8 images, spectral norm on all three as in sn.
                    Inputs x, x_hat (B, 16), xi, xi_hat (B, 1, 8, 8). Forwards D(x) then D(x_hat)
                    (two power iterations), T.out = D(x), T.loss = mean D(x) + mean_i
                    ||d D(x_hat)_i / d x_hat_i||^2 (double backward); T.grad.* = d T.loss / d
                    T.D.*; T.NAME.u1 / v1 the vectors after both forwards.
  losses.tensors    the loss plugins hinge, lsgan (a = -1, b = 1, c = 0.5) and rpgan (own
                    generator seed) on the unconditional mlp pair G = Linear 6-12, LeakyReLU(0.2),
                    Linear 12-16, Tanh and D = Linear 16-10-8-1 (LeakyReLU(0.2)), weights G.*, D.*;
                    inputs x (B, 16), z_d, z_g (B, 6). For each loss L: L.d.loss = D's loss with
                    fakes G(z_d) detached, L.d.part0 its real term (hinge, lsgan: mean over x;
                    rpgan: the whole loss), L.d.grad.D.*; L.g.loss = G's loss on G(z_g) (rpgan
                    pairs it with D(x)), L.g.grad.G.*.
"""
import hashlib
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

B = 8
MAGIC = b"GLTENSR1"
DT_F32, DT_F16 = 1, 2


def write_tensors(path, items, manifest):
    """items: list of (name, dtype, numpy array). Writes the format in the module comment."""
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(items)))
        for name, dtype, a in items:
            nb = name.encode("ascii")
            f.write(struct.pack("<H", len(nb)))
            f.write(nb)
            f.write(struct.pack("<BB", dtype, a.ndim))
            f.write(struct.pack("<%dI" % a.ndim, *a.shape))
            f.write(a.astype("<f2" if dtype == DT_F16 else "<f4").tobytes())
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    manifest.append("%s  %d bytes  sha256 %s" % (os.path.basename(path), os.path.getsize(path), digest))
    for name, dtype, a in items:
        a64 = a.astype(np.float64)
        manifest.append("  %-24s %s %-14s sum %.9g  max|x| %.9g" % (
            name, "f16" if dtype == DT_F16 else "f32", "x".join(map(str, a.shape)),
            a64.sum(), np.abs(a64).max() if a64.size else 0.0))


class Tensors:
    """Named tensors of one fixture file, in insertion order."""

    def __init__(self):
        self.items = []

    def add(self, name, t, dtype=DT_F32):
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        a = np.ascontiguousarray(a.astype(np.float16 if dtype == DT_F16 else np.float32))
        assert all(n != name for n, _, _ in self.items), name
        self.items.append((name, dtype, a))

    def add_params(self, prefix, module, dtype=DT_F32):
        for n, p in module.named_parameters():
            self.add("%s.%s" % (prefix, n), p, dtype)

    def add_grads(self, prefix, module):
        """A parameter the loss does not reach (grad None) has gradient 0."""
        for n, p in module.named_parameters():
            self.add("%s.%s" % (prefix, n), p.grad if p.grad is not None else torch.zeros_like(p))


def init_half(module, gen):
    """PyTorch's default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from gen and rounded to
    float16 so the stored half values are the weights exactly. Norm layers get weight ~ 1 +
    U(-0.25, 0.25) and bias ~ U(-0.25, 0.25) so their affine part is exercised; embeddings
    torch's N(0, 1)."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Embedding):
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen))
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(1 + (torch.rand(m.weight.shape, generator=gen) - 0.5) * 0.5)
                m.bias.copy_((torch.rand(m.bias.shape, generator=gen) - 0.5) * 0.5)
            elif isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                w = m.weight   # torch's fan_in: dim 1 times the kernel size, for every layer kind
                fan_in = w.shape[1] * (w[0, 0].numel() if w.dim() > 2 else 1)
                bound = fan_in ** -0.5
                for p in (m.weight, m.bias):
                    p.copy_((torch.rand(p.shape, generator=gen) * 2 - 1) * bound)
        for p in module.parameters():
            p.copy_(p.half().double())


def byte_images(gen, shape):
    """Values on the byte grid of the idx dataset: (b / 255 - 0.5) / 0.5 in float32."""
    b = torch.randint(0, 256, shape, generator=gen).float()
    return ((b / 255 - 0.5) / 0.5).double()


def zero_grads(*modules):
    for m in modules:
        for p in m.parameters():
            p.grad = None


def tutorial_nets():
    d = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256), nn.LeakyReLU(0.2),
                      nn.Linear(256, 1)).double()
    g = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512), nn.LeakyReLU(0.2),
                      nn.Linear(512, 1024), nn.LeakyReLU(0.2), nn.Linear(1024, 784), nn.Tanh()).double()
    return d, g


def make_tutorial(gen):
    """The D step and G step of tutorial_gan.py; d is the critic without its sigmoid (the sigmoid
    is applied explicitly, so wgan_gp reuses d)."""
    d, g = tutorial_nets()
    init_half(d, gen)
    init_half(g, gen)
    x = byte_images(gen, (B, 784))
    z_d = torch.randn((B, 100), generator=gen).float().double()
    z_g = torch.randn((B, 100), generator=gen).float().double()
    bce = nn.BCELoss()
    t = Tensors()
    t.add_params("D", d, DT_F16)
    t.add_params("G", g, DT_F16)
    t.add("x", x)
    t.add("z_d", z_d)
    t.add("z_g", z_g)

    zero_grads(d, g)
    fake = g(z_d)
    lr, lf = d(x), d(fake)
    pr, pf = torch.sigmoid(lr), torch.sigmoid(lf)
    loss_real, loss_fake = bce(pr, torch.ones_like(pr)), bce(pf, torch.zeros_like(pf))
    loss = loss_real + loss_fake
    loss.backward()
    for n, v in (("d.fake", fake), ("d.logit_real", lr), ("d.prob_real", pr), ("d.logit_fake", lf),
                 ("d.prob_fake", pf), ("d.loss_real", loss_real), ("d.loss_fake", loss_fake),
                 ("d.loss", loss)):
        t.add(n, v)
    t.add_grads("d.grad.D", d)

    zero_grads(d, g)
    fake = g(z_g)
    lg = d(fake)
    pg = torch.sigmoid(lg)
    g_loss = bce(pg, torch.ones_like(pg))
    g_loss.backward()
    for n, v in (("g.fake", fake), ("g.logit", lg), ("g.prob", pg), ("g.loss", g_loss)):
        t.add(n, v)
    t.add_grads("g.grad.G", g)
    return t, d, x, g(z_d).detach()


def make_wgan_gp(gen, d, x):
    fake = byte_images(gen, (B, 784))
    eps = torch.rand((B, 1), generator=gen).float().double()
    t = Tensors()
    t.add("x", x)
    t.add("fake", fake)
    t.add("eps", eps)
    zero_grads(d)
    x_hat = (eps * x + (1 - eps) * fake).requires_grad_(True)
    grad = torch.autograd.grad(d(x_hat).sum(), x_hat, create_graph=True)[0]
    norm = grad.norm(2, dim=1)
    penalty = 10 * ((norm - 1) ** 2).mean()
    c_real, c_fake = d(x), d(fake)
    loss = c_fake.mean() - c_real.mean() + penalty
    loss.backward()
    for n, v in (("gp.grad_x_hat", grad), ("gp.grad_norm", norm), ("gp.penalty", penalty),
                 ("gp.c_real", c_real), ("gp.c_fake", c_fake), ("gp.loss", loss)):
        t.add(n, v)
    t.add_grads("gp.grad.D", d)
    return t


def make_zc(d, x, fake):
    """R1 on x and R2 on the tutorial D step's fakes, added to its BCE loss (train.r1_gamma,
    train.r2_gamma of the core)."""
    t = Tensors()
    zero_grads(d)

    def mean_sq_grad(v):
        v = v.clone().requires_grad_(True)
        grad = torch.autograd.grad(d(v).sum(), v, create_graph=True)[0]
        return (grad ** 2).sum(1).mean()

    r1, r2 = mean_sq_grad(x), mean_sq_grad(fake)
    penalty = 10 / 2 * r1 + 4 / 2 * r2
    penalty.backward()
    lr, lf = d(x), d(fake)
    bce = nn.functional.binary_cross_entropy_with_logits
    loss = bce(lr, torch.ones_like(lr)) + bce(lf, torch.zeros_like(lf)) + penalty
    for n, v in (("zc.r1", r1), ("zc.r2", r2), ("zc.penalty", penalty), ("zc.loss", loss)):
        t.add(n, v)
    t.add_grads("zc.grad.D", d)
    return t


class Maxout(nn.Module):
    """The mlp plugin's maxout: (B, k w) viewed as k pieces (B, w) side by side, their maximum."""

    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x.view(x.shape[0], self.k, -1).max(1)[0]


class MbStd(nn.Module):
    """ProGAN's minibatch standard deviation over the whole batch, as one more feature / plane."""

    def forward(self, h):
        s = torch.sqrt(h.var(0, unbiased=False) + 1e-8).mean()
        return torch.cat([h, s.expand(h.shape[0], 1, *h.shape[2:])], 1)


def make_dreg(gen):
    """D's regularisers of the mlp and dcgan plugins (model.spectral_norm, minibatch_std,
    d_activation maxout), each D in torch's own modules; see the docstring."""
    lrelu = nn.LeakyReLU(0.2)
    nets = {
        "sn": nn.Sequential(nn.Linear(16, 10), lrelu, nn.Linear(10, 8), lrelu, nn.Linear(8, 1)),
        "mb": nn.Sequential(nn.Linear(16, 10), lrelu, nn.Linear(10, 8), lrelu, MbStd(),
                            nn.Linear(9, 1)),
        "mx": nn.Sequential(nn.Linear(16, 30), Maxout(3), nn.Linear(10, 24), Maxout(3),
                            nn.Linear(8, 1)),
        "cv": nn.Sequential(nn.Conv2d(1, 4, 4, 2, 1), lrelu, nn.Conv2d(4, 8, 4, 2, 1), lrelu,
                            MbStd(), nn.Flatten(), nn.Linear(9 * 2 * 2, 1)),
    }
    t = Tensors()
    x = byte_images(gen, (B, 16))
    x_hat = (torch.rand((B, 16), generator=gen) * 2 - 1).float().double()
    xi = byte_images(gen, (B, 1, 8, 8))
    xi_hat = (torch.rand((B, 1, 8, 8), generator=gen) * 2 - 1).float().double()
    for v, n in (("x", x), ("x_hat", x_hat), ("xi", xi), ("xi_hat", xi_hat)):
        t.add(v, n)
    for tag, d in nets.items():
        d.double()
        init_half(d, gen)
        t.add_params(tag + ".D", d, DT_F16)
        if tag in ("sn", "cv"):
            for name, m in d.named_modules():
                if isinstance(m, (nn.Linear, nn.Conv2d)):
                    nn.utils.spectral_norm(m)
                    with torch.no_grad():
                        for buf in ("u", "v"):
                            b = getattr(m, "weight_" + buf)
                            b.copy_(torch.randn(b.shape, generator=gen).float().double())
                            t.add("%s.%s.%s0" % (tag, name, buf), b)
        d.train()
        xin, xh = (xi, xi_hat) if tag == "cv" else (x, x_hat)
        xh = xh.clone().requires_grad_(True)
        out = d(xin)
        grad = torch.autograd.grad(d(xh).sum(), xh, create_graph=True)[0]
        loss = out.mean() + (grad ** 2).flatten(1).sum(1).mean()
        loss.backward()
        t.add(tag + ".out", out)
        t.add(tag + ".loss", loss)
        for name, p in d.named_parameters():
            t.add("%s.grad.%s" % (tag, name.replace("_orig", "")), p.grad)
        for name, b in d.named_buffers():
            t.add("%s.%s1" % (tag, name.replace("weight_", "")), b)
    return t


def make_losses(gen):
    """The hinge, lsgan and rpgan loss plugins on a small unconditional mlp pair."""
    g, d = CondNet(6, [12], 16, nn.Tanh()), CondNet(16, [10, 8], 1)
    t = Tensors()
    for tag, m in (("G", g), ("D", d)):
        m.double()
        init_half(m, gen)
        t.add_params(tag, m, DT_F16)
    x = byte_images(gen, (B, 16))
    z_d = torch.randn((B, 6), generator=gen).float().double()
    z_g = torch.randn((B, 6), generator=gen).float().double()
    for n, v in (("x", x), ("z_d", z_d), ("z_g", z_g)):
        t.add(n, v)
    sp = nn.functional.softplus
    a, b, c = -1.0, 1.0, 0.5   # lsgan's a-b-c, not its defaults, so each one is exercised
    d_losses = {
        "hinge": lambda r, f: (torch.relu(1 - r).mean(), torch.relu(1 + f).mean()),
        "lsgan": lambda r, f: (0.5 * ((r - b) ** 2).mean(), 0.5 * ((f - a) ** 2).mean()),
        "rpgan": lambda r, f: (sp(-(r - f)).mean(), torch.zeros(())),
    }
    g_losses = {
        "hinge": lambda r, f: -f.mean(),
        "lsgan": lambda r, f: 0.5 * ((f - c) ** 2).mean(),
        "rpgan": lambda r, f: sp(-(f - r)).mean(),
    }
    for name in d_losses:
        zero_grads(g, d)
        real, fake = d(x, None), d(g(z_d, None).detach(), None)
        parts = d_losses[name](real, fake)
        loss = parts[0] + parts[1]
        loss.backward()
        t.add(name + ".d.loss", loss)
        t.add(name + ".d.part0", parts[0])
        t.add_grads(name + ".d.grad.D", d)
        zero_grads(g, d)
        loss = g_losses[name](d(x, None), d(g(z_g, None), None))
        loss.backward()
        t.add(name + ".g.loss", loss)
        t.add_grads(name + ".g.grad.G", g)
    return t


def make_dcgan(gen):
    g = nn.Sequential(nn.Linear(16, 32 * 7 * 7), nn.LeakyReLU(0.2), nn.Unflatten(1, (32, 7, 7)),
                      nn.ConvTranspose2d(32, 16, 4, 2, 1), nn.LeakyReLU(0.2),
                      nn.ConvTranspose2d(16, 1, 4, 2, 1), nn.Tanh()).double()
    d = nn.Sequential(nn.Conv2d(1, 16, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(16, 32, 4, 2, 1),
                      nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(32 * 7 * 7, 1)).double()
    dl = nn.Sequential(nn.Conv2d(1, 16, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(16, 32, 4, 2, 1),
                       nn.LayerNorm([32, 7, 7]), nn.LeakyReLU(0.2), nn.Flatten(),
                       nn.Linear(32 * 7 * 7, 1)).double()
    for m in (g, d, dl):
        init_half(m, gen)
    z = torch.randn((B, 16), generator=gen).float().double().requires_grad_(True)
    x = byte_images(gen, (B, 1, 28, 28)).requires_grad_(True)
    t = Tensors()
    t.add_params("G", g, DT_F16)
    t.add_params("D", d, DT_F16)
    t.add_params("DL", dl, DT_F16)
    t.add("z", z)
    t.add("x", x)

    g_out = g(z)
    d_real, d_fake = d(x), d(g_out.detach())
    d_loss = d_real.mean() - d_fake.mean()
    d_loss.backward()
    t.add("conv.g_out", g_out)
    t.add("conv.d_real", d_real)
    t.add("conv.d_fake", d_fake)
    t.add("conv.d_loss", d_loss)
    t.add_grads("conv.grad.D", d)
    t.add("conv.grad_x", x.grad)

    zero_grads(d, g)
    g_loss = -d(g(z)).mean()
    g_loss.backward()
    t.add("conv.g_loss", g_loss)
    t.add_grads("conv.grad.G", g)
    t.add("conv.grad_z", z.grad)

    x.grad = None
    ln_real = dl(x)
    ln_loss = ln_real.mean()
    ln_loss.backward()
    t.add("ln.d_real", ln_real)
    t.add("ln.loss", ln_loss)
    t.add_grads("ln.grad.DL", dl)
    t.add("ln.grad_x", x.grad)
    return t


def make_adam(gen):
    p = {"a": (torch.rand(64, generator=gen) - 0.5) * 0.1,
         "b": (torch.rand((16, 8), generator=gen) - 0.5) * 0.1}

    def grads():
        """Magnitudes 10^U(-6, 0) with random signs, in float32."""
        return {k: (torch.sign(torch.rand(v.shape, generator=gen) - 0.5)
                    * 10 ** (-6 * torch.rand(v.shape, generator=gen))).float() for k, v in p.items()}

    gs = (grads(), grads())
    t = Tensors()
    for k in p:
        t.add("p0." + k, p[k])
    for step in (1, 2):
        for k in p:
            t.add("g%d.%s" % (step, k), gs[step - 1][k])
    for dtype, tag in ((torch.float64, "p"), (torch.float32, "f")):
        params = {k: v.to(dtype).clone().requires_grad_(True) for k, v in p.items()}
        opt = torch.optim.Adam(params.values(), lr=2e-4, betas=(0.9, 0.999), eps=1e-8)
        prev = {k: v.detach().clone() for k, v in params.items()}
        for step in (1, 2):
            for k in p:
                params[k].grad = gs[step - 1][k].to(dtype)
            opt.step()
            for k in p:
                t.add("%s%d.%s" % (tag, step, k), params[k])
                if dtype == torch.float64:
                    t.add("d%d.%s" % (step, k), params[k].detach() - prev[k])
                prev[k] = params[k].detach().clone()
    return t


N_CLASSES = 3


class CondNet(nn.Module):
    """G or D of the conditional mlp plugin: model = (Linear, LeakyReLU(0.2)) per hidden width,
    then Linear [and last]. code: None, "one_hot" or the width of a learned label_emb, the label
    code concatenated after the input; project: the label enters by projection instead (proj)."""

    def __init__(self, n_in, widths, n_out, last=None, code=None, project=False):
        super().__init__()
        self.code, self.project = code, project
        if isinstance(code, int):
            self.label_emb = nn.Embedding(N_CLASSES, code)   # registered first, as in the plugin
        width = n_in + {None: 0, "one_hot": N_CLASSES}.get(code, code)
        layers = []
        for w in widths:
            layers += [nn.Linear(width, w), nn.LeakyReLU(0.2)]
            width = w
        layers.append(nn.Linear(width, n_out))
        if last is not None:
            layers.append(last)
        self.model = nn.Sequential(*layers)
        if project:
            self.proj = nn.Embedding(N_CLASSES, width)

    def forward(self, x, y):
        if self.code == "one_hot":
            x = torch.cat([x, nn.functional.one_hot(y, N_CLASSES).to(x.dtype)], 1)
        elif self.code is not None:
            x = torch.cat([x, self.label_emb(y)], 1)
        if not self.project:
            return self.model(x)
        h = self.model[:-1](x)
        return self.model[-1](h) + (self.proj(y) * h).sum(1, keepdim=True)


def make_cond(gen):
    nets = {"P": (CondNet(6, [12], 16, nn.Tanh(), "one_hot"),
                  CondNet(16, [10, 8], 1, project=True)),
            "E": (CondNet(6, [12], 16, nn.Tanh(), 5), CondNet(16, [10, 8], 1, code=5))}
    t = Tensors()
    for tag, (g, d) in nets.items():
        g.double()
        d.double()
        init_half(g, gen)
        init_half(d, gen)
        t.add_params(tag + ".G", g, DT_F16)
        t.add_params(tag + ".D", d, DT_F16)
    z = torch.randn((B, 6), generator=gen).float().double()
    x = byte_images(gen, (B, 16)).requires_grad_(True)
    y = (torch.arange(B) % N_CLASSES)[torch.randperm(B, generator=gen)]
    x_hat = (torch.rand((B, 16), generator=gen) * 2 - 1).float().double().requires_grad_(True)
    t.add("z", z)
    t.add("x", x)
    t.add("y", y)
    t.add("x_hat", x_hat)

    for tag, (g, d) in nets.items():
        zero_grads(g, d)
        x.grad = None
        d_out = d(x, y)
        d_mean = d_out.mean()
        d_mean.backward()
        t.add(tag + ".g_out", g(z, y))
        t.add(tag + ".d_out", d_out)
        t.add(tag + ".d_mean", d_mean)
        t.add_grads(tag + ".grad.D", d)
        t.add(tag + ".grad_x", x.grad)
        zero_grads(g, d)
        d_fake = d(g(z, y), y)
        g_mean = d_fake.mean()
        g_mean.backward()
        t.add(tag + ".d_fake", d_fake)
        t.add(tag + ".g_mean", g_mean)
        t.add_grads(tag + ".grad.G", g)

    d = nets["P"][1]
    zero_grads(d)
    grad = torch.autograd.grad(d(x_hat, y).sum(), x_hat, create_graph=True)[0]
    norm = grad.norm(2, dim=1)
    penalty = 10 * ((norm - 1) ** 2).mean()
    penalty.backward()
    t.add("P.gp.grad_x_hat", grad)
    t.add("P.gp.grad_norm", norm)
    t.add("P.gp.penalty", penalty)
    t.add_grads("P.gp.grad.D", d)
    return t


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "fixtures")
    os.makedirs(out, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(20240601)
    tut, d, x, fake = make_tutorial(gen)
    files = (("tutorial.tensors", tut), ("wgan_gp.tensors", make_wgan_gp(gen, d, x)),
             ("dcgan.tensors", make_dcgan(gen)), ("adam.tensors", make_adam(gen)),
             ("cond.tensors", make_cond(gen)), ("zc.tensors", make_zc(d, x, fake)),
             ("dreg.tensors", make_dreg(torch.Generator().manual_seed(20261206))),
             ("losses.tensors", make_losses(torch.Generator().manual_seed(20261207))))
    manifest = ["# Written by tests/reference/make_fixtures.py with torch %s; see its docstring." %
                torch.__version__]
    for name, t in files:
        write_tensors(os.path.join(out, name), t.items, manifest)
    with open(os.path.join(out, "MANIFEST.txt"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print("wrote %s" % ", ".join(os.path.join(out, n) for n, _ in files))


if __name__ == "__main__":
    main()
