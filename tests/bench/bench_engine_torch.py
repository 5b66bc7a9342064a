#!/usr/bin/python3
"""bench_engine_torch.py - the work of bench_engine.c done in PyTorch, for the ratio in
docs/performance.md: the tutorial GAN's G (100-256-512-1024-784) and D (784-512-256-1) at batch
64 and 256; d_step, g_step and train as defined in bench_engine.c (BCE on logits; during the G step
D's parameters do not require gradients, as the engine skips them too; no optimizer).
Usage: bench_engine_torch.py THREADS   (run with OMP_WAIT_POLICY=passive, see run_engine_bench.sh)
Prints "name batch ms" lines, best of 7 repeats, like bench_engine.
"""
import sys
import time

import torch
from torch import nn


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    g = nn.Sequential(nn.Linear(100, 256), nn.LeakyReLU(0.2), nn.Linear(256, 512),
                      nn.LeakyReLU(0.2), nn.Linear(512, 1024), nn.LeakyReLU(0.2),
                      nn.Linear(1024, 784), nn.Tanh())
    d = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Linear(512, 256),
                      nn.LeakyReLU(0.2), nn.Linear(256, 1))
    bce = nn.BCEWithLogitsLoss()
    # inputs drawn once, outside the timed loops, as bench_engine.c does
    pool_z = [torch.randn(256, 100), torch.randn(256, 100)]
    pool_real = torch.rand(256, 1, 28, 28) * 2 - 1

    def d_step(b):
        real = pool_real[:b]
        z = pool_z[0][:b]
        with torch.no_grad():
            fake = g(z)
        ones, zeros = torch.ones(b, 1), torch.zeros(b, 1)
        d.zero_grad(set_to_none=False)
        loss = bce(d(real.view(b, -1)), ones) + bce(d(fake), zeros)
        loss.backward()

    def g_step(b, k=0):
        z = pool_z[k][:b]
        d.requires_grad_(False)
        g.zero_grad(set_to_none=False)
        loss = bce(d(g(z)), torch.ones(b, 1))
        loss.backward()
        d.requires_grad_(True)

    def train(b):
        d_step(b)
        g_step(b, 1)

    print(f"# threads {threads} torch {torch.__version__}")
    for b in (64, 256):
        iters = 10 if b >= 256 else 30
        for name, fn in (("d_step", d_step), ("g_step", g_step), ("train", train)):
            for _ in range(5):
                fn(b)
            best = 1e30
            for _ in range(7):
                t0 = time.perf_counter()
                for _ in range(iters):
                    fn(b)
                best = min(best, (time.perf_counter() - t0) * 1e3 / iters)
            print(f"{name} {b} {best:.3f}")


if __name__ == "__main__":
    main()
