#!/usr/bin/python3
"""Reference values for @cat/train, computed with PyTorch 1.13 and scikit-learn/scipy the way the reference
recipes use them: torch.optim.AdamW with parameter groups, clip_grad_norm_, BCE-with-logits and (label-smoothed)
cross-entropy, sklearn's average_precision_score / roc_auc_score and scipy's norm.ppf.
Run with Debian's /usr/bin/python3 (apt-get install -y python3-sklearn python3-scipy).
Writes test/__fixtures__/*.json: float32 values as JSON numbers round-trip exactly, NaN is written as null."""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import norm
from sklearn.metrics import average_precision_score, roc_auc_score

out = os.path.join(os.path.dirname(__file__), "..", "test", "__fixtures__")
g = torch.Generator().manual_seed(0)


def arr(t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return [None if isinstance(x, float) and math.isnan(x) else x for x in a.astype(np.float64).ravel().tolist()]


def save(name, obj):
    with open(os.path.join(out, name), "w") as f:
        json.dump(obj, f, allow_nan=False)
    print("wrote", name)


# --- AdamW: two groups (decay with LR scale 1, no decay with LR scale 0.65), a changing LR, large lr*wd so
# the decoupled decay term is visible, and one step where a parameter gets no gradient (its own step count lags).
shapes = {"blocks.0.attn.qkv.weight": [3, 4], "blocks.0.attn.qkv.bias": [4], "extra_tokens": [1, 1, 4], "norm.weight": [4]}
params = {n: torch.nn.Parameter(torch.randn(*s, generator=g)) for n, s in shapes.items()}
init = {n: p.detach().clone() for n, p in params.items()}
decay_names = [n for n, p in params.items() if not (p.ndim == 1 or n.endswith(".bias"))]
no_decay_names = [n for n in params if n not in decay_names]
wd, lr_scale, betas, eps = 0.3, 0.65, (0.9, 0.95), 1e-8
opt = torch.optim.AdamW(
    [
        {"params": [params[n] for n in decay_names], "weight_decay": wd},
        {"params": [params[n] for n in no_decay_names], "weight_decay": 0.0},
    ],
    lr=0.0,
    betas=betas,
    eps=eps,
)
lrs = [0.05, 0.1, 0.08, 0.03, 0.01]
steps = []
for k, lr in enumerate(lrs):
    opt.param_groups[0]["lr"] = lr
    opt.param_groups[1]["lr"] = lr * lr_scale
    grads = {}
    for n, p in params.items():
        if k == 2 and n == "norm.weight":
            p.grad = None
            grads[n] = None
        else:
            p.grad = torch.randn(p.shape, generator=g) * (0.1 if k % 2 else 2.0)
            grads[n] = arr(p.grad)
    opt.step()
    steps.append({"lr": lr, "grads": grads, "params": {n: arr(p) for n, p in params.items()}})
state = {}
for n, p in params.items():
    s = opt.state[p]
    state[n] = {"step": int(s["step"].item()), "m": arr(s["exp_avg"]), "v": arr(s["exp_avg_sq"])}
save(
    "adamw.json",
    {
        "betas": betas,
        "eps": eps,
        "weightDecay": wd,
        "lrScale": lr_scale,
        "decay": decay_names,
        "shapes": shapes,
        "init": {n: arr(t) for n, t in init.items()},
        "steps": steps,
        "state": state,
    },
)

# --- clip_grad_norm_: one case that clips, one that does not.
clip_cases = []
for max_norm, scale in [(1.0, 1.0), (50.0, 1.0)]:
    ps = [torch.nn.Parameter(torch.zeros(*s)) for s in ([3, 5], [5], [2, 2, 2])]
    for p in ps:
        p.grad = torch.randn(p.shape, generator=g) * scale
    before = [arr(p.grad) for p in ps]
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm)
    clip_cases.append(
        {
            "maxNorm": max_norm,
            "shapes": [list(p.shape) for p in ps],
            "grads": before,
            "norm": total.item(),
            "clipped": [arr(p.grad) for p in ps],
        }
    )
save("clip.json", clip_cases)

# --- Losses. Multi-label: two multi-hot rows mixed with lambda (timm mixup pairs with the flipped batch).
B, C = 4, 6
logits = torch.randn(B, C, generator=g) * 3
hot = (torch.rand(B, C, generator=g) < 0.35).float()
lam = 0.7
mixed = lam * hot + (1 - lam) * hot.flip(0)
bce_sum = F.binary_cross_entropy_with_logits(logits, mixed, reduction="sum")
# Single-label: label-smoothed CE on class indices and CE on soft (mixed) targets.
Bc, Cc = 5, 7
ce_logits = torch.randn(Bc, Cc, generator=g) * 2
ce_labels = torch.randint(0, Cc, (Bc,), generator=g)
soft = torch.softmax(torch.randn(Bc, Cc, generator=g), -1)
save(
    "losses.json",
    {
        "bce": {
            "shape": [B, C],
            "logits": arr(logits),
            "targets": arr(mixed),
            "labelSum": (bce_sum / mixed.sum()).item(),
            "batch": (bce_sum / B).item(),
        },
        "ce": {
            "shape": [Bc, Cc],
            "logits": arr(ce_logits),
            "labels": ce_labels.tolist(),
            "smoothing": 0.1,
            "smoothed": F.cross_entropy(ce_logits, ce_labels, label_smoothing=0.1).item(),
            "plain": F.cross_entropy(ce_logits, ce_labels).item(),
            "softTargets": arr(soft),
            "soft": (-(soft * F.log_softmax(ce_logits, -1)).sum(-1)).mean().item(),
        },
    },
)

# --- Metrics. Scores rounded to one decimal so many ties; class 3 has no positives.
rng = np.random.default_rng(0)
N, K = 40, 5
targets = (rng.random((N, K)) < 0.3).astype(np.float64)
targets[:, 3] = 0
targets[0, 0] = targets[1, 0] = 1
scores = np.round(np.clip(targets * 0.3 + rng.random((N, K)) * 0.8, 0, 1), 1)
ap = [average_precision_score(targets[:, k], scores[:, k]) if targets[:, k].any() else float("nan") for k in range(K)]
auc = [roc_auc_score(targets[:, k], scores[:, k]) if targets[:, k].any() else float("nan") for k in range(K)]
mean_auc = float(np.nanmean(auc))
# Single-label accuracy with one tie in the scores (argmax takes the first maximum, as numpy does).
acc_scores = np.round(rng.random((12, 4)), 1)
acc_scores[0, :] = [0.5, 0.5, 0.1, 0.0]
acc_labels = rng.integers(0, 4, 12)
acc_labels[0] = 0
acc_onehot = np.eye(4)[acc_labels]
ppf_p = [1e-12, 1e-6, 0.001, 0.02, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.8, 0.925, 0.975, 0.99, 0.999999, 1 - 1e-12]
save(
    "metrics.json",
    {
        "shape": [N, K],
        "scores": arr(scores),
        "targets": arr(targets),
        "ap": arr(np.array(ap)),
        "mAP": float(np.nanmean(ap)),
        "auc": arr(np.array(auc)),
        "meanAuc": mean_auc,
        "dPrime": float(np.sqrt(2.0) * norm.ppf(mean_auc)),
        "accuracy": {
            "shape": [12, 4],
            "scores": arr(acc_scores),
            "targets": arr(acc_onehot),
            "value": float(np.mean(acc_scores.argmax(1) == acc_onehot.argmax(1))),
        },
        "ppf": {"p": ppf_p, "x": [float(norm.ppf(p)) for p in ppf_p]},
    },
)
