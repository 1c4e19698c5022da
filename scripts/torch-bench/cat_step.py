"""PyTorch peer of the wasm benchmarks: CAT encoder inference and one pre-training step (teacher forward,
student on `clones` masked views, CNN decoder, frame + utterance losses, backward, AdamW, EMA) on the CPU,
with the architecture of packages/layers/scripts/reference/cat_reference.py (written from cat-reference.md).

Dev script only (Debian /usr/bin/python3 with torch 1.13):
  /usr/bin/python3 scripts/torch-bench/cat_step.py [--model cat-tiny] [--batch 8] [--frames 128]
      [--mode step|embed] [--threads 1,2] [--repeats 3]
Prints one line per thread count: `threads N: clips/s X (best of R: ... ms)`.
"""

import argparse
import copy
import os
import sys
import time

import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../packages/layers/scripts/reference"))
from cat_reference import Encoder  # noqa: E402

SIZES = {
    "cat-tiny": dict(dim=192, heads=3, channels=[64, 96]),
    "cat-small": dict(dim=384, heads=6, channels=[128, 192]),
    "cat-base": dict(dim=768, heads=12, channels=[256, 384]),
}


def config(model, frames):
    size = SIZES[model]
    return dict(dim=size["dim"], heads=size["heads"], depth=11, resolutions=[4, 8, 16], channels=size["channels"],
                depths=[2, 2], max_time_patches=768, target_length=frames, decoder_layers=6)


def random_visibility(views, tokens, visible, generator):
    """Exactly `visible` visible tokens per view (the step's cost does not depend on where they are)."""
    order = torch.rand(views, tokens, generator=generator).argsort(dim=1)
    vis = torch.zeros(views, tokens)
    vis.scatter_(1, order[:, :visible], 1.0)
    return vis


def targets_from(ffn, top_k):
    layers = [F.instance_norm(t[:, 1:].transpose(1, 2)).transpose(1, 2) for t in ffn[-top_k:]]
    y = sum(layers) / len(layers)
    return F.layer_norm(y, y.shape[-1:])


def make_step(model, batch, frames, clones):
    cfg = config(model, frames)
    student = Encoder(cfg)
    teacher = copy.deepcopy(student).eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    decoder = student.modality_encoders["IMAGE"].decoder
    params = [p for p in student.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), weight_decay=0.05)
    x = torch.randn(batch, frames, 128)
    grid_t, grid_f = frames // 16, 8
    tokens = grid_t * grid_f
    visible = int(tokens * 0.2)
    views = batch * clones
    generator = torch.Generator().manual_seed(0)
    dim = cfg["dim"]

    def step():
        vis = random_visibility(views, tokens, visible, generator)
        with torch.no_grad():
            _, _, ffn = teacher(x)
            y = targets_from(ffn, len(ffn))
        xs = x.repeat_interleave(clones, 0)
        cls, kept, _ = student(xs, vis.reshape(views, grid_t, grid_f))
        full = torch.randn(views, tokens, dim) * 0.01
        keep = vis.bool()
        full = full.masked_scatter(keep[..., None].expand_as(full), kept)
        pred = decoder(full)
        yv = y.repeat_interleave(clones, 0)
        per_token = ((pred - yv) ** 2).sum(-1) / dim**0.5
        masked = 1 - vis
        frame = (per_token * masked).sum() / masked.sum()
        utterance = (((cls - yv.mean(1)) ** 2).sum(-1) / dim**0.5).mean()
        loss = frame + utterance
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            tau = 0.9998
            for t, s in zip(teacher.parameters(), student.parameters()):
                t.mul_(tau).add_(s.detach(), alpha=1 - tau)
        return loss.item()

    return step


def make_embed(model, batch, frames):
    encoder = Encoder(config(model, frames)).eval()
    x = torch.randn(batch, frames, 128)

    def embed():
        with torch.no_grad():
            cls, _, _ = encoder(x)
        return cls.sum().item()

    return embed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="cat-tiny", choices=sorted(SIZES))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--frames", type=int, default=128)
    parser.add_argument("--clones", type=int, default=4)
    parser.add_argument("--mode", default="step", choices=["step", "embed"])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(0)
    run = (make_step(args.model, args.batch, args.frames, args.clones) if args.mode == "step"
           else make_embed(args.model, args.batch, args.frames))
    print(f"# torch {torch.__version__} {args.model} {args.mode} batch {args.batch} x {args.frames} frames"
          + (f", {args.clones} clones" if args.mode == "step" else ""))
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        times = []
        # Debian's torch multiplies through OpenBLAS, whose own thread pool set_num_threads does not limit.
        with threadpool_limits(limits=threads):
            run()  # warm-up
            for _ in range(args.repeats):
                start = time.perf_counter()
                run()
                times.append(time.perf_counter() - start)
        best = min(times)
        print(f"threads {threads}: clips/s {args.batch / best:.2f} (best of {args.repeats}: "
              f"{', '.join(f'{t * 1000:.0f}' for t in times)} ms)")


if __name__ == "__main__":
    main()
