#!/usr/bin/python3
"""Reference values for @cat/ssl's targets and losses, computed with PyTorch the way the reference does
(F.instance_norm over tokens, mean of K layers, F.layer_norm without affine; L2 / sqrt(D) losses).
Run with Debian's /usr/bin/python3 (torch 1.13). Writes test/__fixtures__/ssl_*.npy."""
import os
import numpy as np
import torch
import torch.nn.functional as F

out = os.path.join(os.path.dirname(__file__), "..", "test", "__fixtures__")
g = torch.Generator().manual_seed(0)
B, N, D, K, L = 2, 12, 8, 2, 3  # clips, tokens, channels, top-K, blocks
clones, M = 3, 9  # views per clip, masked tokens per view

ffn = torch.randn(L, B, N, D, generator=g) * 2 + 0.5
layers = [F.instance_norm(ffn[l].transpose(1, 2)).transpose(1, 2) for l in range(L - K, L)]
y = sum(layers) / K
y = F.layer_norm(y, y.shape[-1:])

pred = torch.randn(B * clones, M, D, generator=g)
masked_idx = torch.stack([torch.randperm(N, generator=g)[:M].sort().values for _ in range(B * clones)])
y_views = y.repeat_interleave(clones, 0)
tgt = torch.gather(y_views, 1, masked_idx[..., None].expand(-1, -1, D))
frame = ((pred - tgt) ** 2).sum(-1) / D ** 0.5
cls = torch.randn(B * clones, D, generator=g)
utt = ((cls - y_views.mean(1)) ** 2).sum(-1) / D ** 0.5

np.save(os.path.join(out, "ssl_ffn.npy"), ffn.numpy().astype(np.float32))
np.save(os.path.join(out, "ssl_targets.npy"), y.numpy().astype(np.float32))
np.save(os.path.join(out, "ssl_pred.npy"), pred.numpy().astype(np.float32))
np.save(os.path.join(out, "ssl_masked_idx.npy"), masked_idx.numpy().astype(np.int32))
np.save(os.path.join(out, "ssl_cls.npy"), cls.numpy().astype(np.float32))
np.save(os.path.join(out, "ssl_losses.npy"), np.array([frame.mean(), utt.sum(), utt.mean()], dtype=np.float32))
print("frame mean", frame.mean().item(), "utt sum", utt.sum().item(), "utt mean", utt.mean().item())
