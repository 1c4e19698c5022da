#!/usr/bin/python3
"""Reference values for @cat/regularize's alignment losses, computed as the CAT reference does (§8.2) with PyTorch.
Run with Debian's /usr/bin/python3 (torch 1.13). Writes test/__fixtures__/rr_*.npy."""
import os
import numpy as np
import torch
import torch.nn.functional as F

out = os.path.join(os.path.dirname(__file__), "..", "test", "__fixtures__")
g = torch.Generator().manual_seed(0)
V, d = 5, 16
p = torch.randn(V, d, generator=g)
e = torch.randn(V, d, generator=g) * 0.5 + 0.1
s = d ** 0.5
mse = ((p - e) ** 2).sum(-1) / s
l1 = (p - e).abs().sum(-1) / s
cos = (1 - F.cosine_similarity(p, e, dim=-1)) / s
# The reference's "ce": F.kl_div(log_softmax(e), softmax(p)) with the default elementwise mean, here per view.
kl = torch.stack([F.kl_div(F.log_softmax(e[i], -1), F.softmax(p[i], -1), reduction="mean") for i in range(V)])
np.save(os.path.join(out, "rr_projected.npy"), p.numpy().astype(np.float32))
np.save(os.path.join(out, "rr_target.npy"), e.numpy().astype(np.float32))
np.save(os.path.join(out, "rr_losses.npy"), torch.stack([mse, cos, l1, kl]).numpy().astype(np.float32))
print(torch.stack([mse, cos, l1, kl]))
