"""Writes the parity fixtures of @cat/layers (test/__fixtures__/*.safetensors) from cat_reference.py.

Weights are rounded to float16 (stored as F16, halving the fixture size); the reference outputs are
computed with exactly those weights in float32. Run with Debian's /usr/bin/python3 (torch 1.13).
"""

import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cat_reference import Encoder, count, sincos_table  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "__fixtures__")

CAT_SMALL = dict(dim=64, heads=2, depth=2, resolutions=[4, 8, 16], channels=[16, 32], depths=[2, 2],
                 max_time_patches=16, target_length=128, decoder_layers=2, rr_dim=32)
EAT_SMALL = dict(dim=32, heads=2, depth=2, patch=16, max_time_patches=16, target_length=128)


def write_safetensors(path, tensors, dtype="F32"):
    """tensors: dict name -> np.ndarray; stored little-endian as F32 or F16. Written atomically."""
    np_dtype = {"F32": "<f4", "F16": "<f2"}[dtype]
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np_dtype).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - (8 + len(text)) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text.encode())
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def build(cfg, seed):
    torch.manual_seed(seed)
    model = Encoder(cfg).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    return model


def formula_tensor(name, shape):
    """Deterministic weights (no stored file) that the TS test regenerates from the name and shape."""
    seed = sum((j + 1) * ord(c) for j, c in enumerate(name)) % 997
    n = int(np.prod(shape))
    values = np.sin(0.7 * np.arange(n, dtype=np.float64) + seed)
    if name.endswith("extra_tokens"):
        pass
    elif len(shape) >= 2:
        values /= np.sqrt(np.prod(shape[1:]))
    elif name.endswith(".bias"):
        values *= 0.1
    else:  # LayerNorm weights
        values = 1 + 0.1 * values
    return values.astype(np.float32).reshape(shape)


def outputs(prefix, model, x, visibility, layers=None):
    out = {}
    with torch.no_grad():
        for tag, vis in (("full", None), ("student", visibility)):
            cls, tokens, ffn = model(x, vis)
            out[f"{prefix}.{tag}.cls"] = cls
            out[f"{prefix}.{tag}.tokens"] = tokens
            for i, t in enumerate(ffn):
                if layers is None or i in layers:
                    out[f"{prefix}.{tag}.ffn.{i}"] = t
    return {k: v.numpy() for k, v in out.items()}


def random_visibility(batch, rows, cols, keep, generator):
    vis = torch.zeros(batch, rows * cols)
    for b in range(batch):
        vis[b, torch.randperm(rows * cols, generator=generator)[:keep]] = 1
    return vis.reshape(batch, rows, cols)


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(1234)
    x = torch.randn(2, 128, 128, generator=g) * 0.5
    visibility = random_visibility(2, 8, 8, 16, g)

    cat = build(CAT_SMALL, 0)
    eat = build(EAT_SMALL, 1)
    write_safetensors(os.path.join(OUT, "cat-small.safetensors"),
                      {k: v.numpy() for k, v in cat.state_dict().items()}, "F16")
    write_safetensors(os.path.join(OUT, "eat-small.safetensors"),
                      {k: v.numpy() for k, v in eat.state_dict().items()}, "F16")

    io = {"input": x.numpy(), "visibility": visibility.numpy()}
    io.update(outputs("cat", cat, x, visibility))
    io.update(outputs("eat", eat, x, visibility))
    decoder_in = torch.randn(2, 64, 64, generator=g)
    with torch.no_grad():
        io["decoder.input"] = decoder_in.numpy()
        io["decoder.output"] = cat.modality_encoders["IMAGE"].decoder(decoder_in).numpy()
    # The cat-tiny preset itself, with formula weights (too big to store), on the first clip.
    tiny = Encoder(dict(dim=192, heads=3, depth=11, resolutions=[4, 8, 16], channels=[64, 96], depths=[2, 2],
                        max_time_patches=768, target_length=128)).eval()
    with torch.no_grad():
        for name, p in tiny.state_dict().items():
            if not name.endswith("fixed_positional_encoder.positions"):
                p.copy_(torch.from_numpy(formula_tensor(name, tuple(p.shape))))
    io.update(outputs("tiny", tiny, x[:1], visibility[:1], layers=(0, 10)))
    io["positions.small"] = sincos_table(64, 16, 8)
    rows = [0, 7, 8, 1001, 6143]
    io["positions.768.rows"] = np.array(rows, dtype=np.float32)
    io["positions.768"] = sincos_table(768, 768, 8)[rows]
    write_safetensors(os.path.join(OUT, "parity-io.safetensors"), io, "F32")

    # Parameter counts of the presets (no weights kept), to compare with cat-weights.md §6.
    for name, cfg in {
        "cat-tiny": dict(dim=192, heads=3, depth=11, resolutions=[4, 8, 16], channels=[64, 96], depths=[2, 2],
                         max_time_patches=768, target_length=1024, decoder_layers=6, rr_dim=512),
        "eat-tiny": dict(dim=192, heads=3, depth=12, max_time_patches=768, target_length=1024, decoder_layers=6),
    }.items():
        m = Encoder(cfg)
        enc = m.modality_encoders["IMAGE"]
        dec = count(enc.decoder)
        rr = count(m.clap_proj) if hasattr(m, "clap_proj") else 0
        print(name, "encoder", count(m) - dec - rr, "decoder", dec, "rr", rr)


if __name__ == "__main__":
    main()
