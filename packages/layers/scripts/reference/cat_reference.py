"""PyTorch rendering of the CAT / EAT encoder and decoder, written from the project's spec
(docs cat-reference.md §3-§5, cat-weights.md), used only to make parity fixtures for @cat/layers.

Module attribute names follow the reference state_dict keys, so `state_dict()` gives reference names.
Run: /usr/bin/python3 scripts/reference/make_fixtures.py
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def sincos_table(dim, time_patches, freq_patches):
    """MAE 2-D sin-cos table in float32: channels [0, D/2) encode the frequency index, [D/2, D) time."""

    def one_axis(half, pos):
        omega = np.arange(half // 2, dtype=np.float32)
        omega /= half / 2.0
        # float32 power as glibc's powf (correctly rounded); NumPy's AVX-512 (SVML) float32 power is
        # off by an ulp for some k, which moves the table by up to 6e-5: machine-dependent bits.
        omega = 1.0 / (10000 ** omega.astype(np.float64)).astype(np.float32)
        out = np.einsum("m,d->md", pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)

    grid_t = np.arange(time_patches, dtype=np.float32)
    grid_f = np.arange(freq_patches, dtype=np.float32)
    f, t = np.meshgrid(grid_f, grid_t)  # each (time, freq), row-major t * F + f
    table = np.concatenate([one_axis(dim // 2, f), one_axis(dim // 2, t)], axis=1)
    return table.astype(np.float32)


class ChannelLN(nn.LayerNorm):
    """LayerNorm over the channel axis of a (B, C, H, W) map."""

    def forward(self, x):
        return super().forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)


class PatchEmbed(nn.Module):
    def __init__(self, cin, cout, k, norm):
        super().__init__()
        self.proj = nn.Conv2d(cin, cout, k, stride=k)
        if norm:
            self.norm = ChannelLN(cout, eps=1e-5)
        w = self.proj.weight.data
        nn.init.xavier_uniform_(w.view([w.shape[0], -1]))

    def forward(self, x):
        x = self.proj(x)
        return self.norm(x) if hasattr(self, "norm") else x


class CMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Conv2d(dim, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, dim, 1)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class CBlock(nn.Module):
    def __init__(self, dim, mlp_ratio=4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.conv1 = nn.Conv2d(dim, dim, 1)
        self.attn = nn.Conv2d(dim, dim, 5, padding=2, groups=dim)
        self.conv2 = nn.Conv2d(dim, dim, 1)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.mlp = CMlp(dim, dim * mlp_ratio)

    def forward(self, x, mask=None):
        h = self.conv1(self.norm1(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2))
        if mask is not None:
            h = mask * h
        x = x + self.conv2(self.attn(h))
        return x + self.mlp(self.norm2(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2))


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * self.scale) @ k.transpose(-2, -1)
        attn = attn.softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class AltBlock(nn.Module):
    """Post-LN block: x += Attn(x); r = LN1(x); t = MLP(r); x = LN2(r + t); returns (x, t)."""

    def __init__(self, dim, heads, mlp_ratio=4):
        super().__init__()
        self.attn = Attention(dim, heads)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, dim * mlp_ratio)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        x = x + self.attn(x)
        r = self.norm1(x)
        t = self.mlp(r)
        return self.norm2(r + t), t


class Holder(nn.Module):
    pass


class Decoder2d(nn.Module):
    def __init__(self, dim, layers, kernel, groups, h, w):
        super().__init__()
        self.h, self.w = h, w
        self.blocks = nn.ModuleList(
            [
                nn.Sequential(nn.Conv2d(dim, dim, kernel, padding=kernel // 2, groups=groups))
                for _ in range(layers)
            ]
        )
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, T, C = x.shape
        x = x.transpose(1, 2).reshape(B, C, self.h, self.w)
        residual = x
        for block in self.blocks:
            y = block(x)
            y = F.layer_norm(y.transpose(1, 3), (C,), eps=1e-5).transpose(1, 3)
            x = F.gelu(y) + residual
            residual = x
        return self.proj(x.reshape(B, C, T).transpose(1, 2))


class ImageEncoder(nn.Module):
    """`modality_encoders.IMAGE`: local encoder, CLS, fixed positions, input LN (+ decoder)."""

    def __init__(self, cfg):
        super().__init__()
        D = cfg["dim"]
        self.cfg = cfg
        self.multires = cfg.get("resolutions") is not None
        if self.multires:
            res, chans, depths = cfg["resolutions"], cfg["channels"], cfg["depths"]
            self.patch = res[-1]
            widths = [1] + chans + [D]
            pe, blocks, outs = [], [], []
            for s, r in enumerate(res):
                k = r if s == 0 else r // res[s - 1]
                pe.append(PatchEmbed(widths[s], widths[s + 1], k, norm=True))
                if s < len(res) - 1:
                    blocks.append(nn.ModuleList([CBlock(widths[s + 1]) for _ in range(depths[s])]))
                    g = self.patch // r
                    outs.append(nn.Conv2d(widths[s + 1], D, g, stride=g))
            pe.append(nn.Linear(D, D))
            self.patch_embed = nn.ModuleList(pe)
            self.conv_blocks = nn.ModuleList(blocks)
            self.stage_output_decode = nn.ModuleList(outs)
        else:
            self.patch = cfg.get("patch", 16)
            self.local_encoder = PatchEmbed(1, D, self.patch, norm=False)
        self.freq_patches = 128 // self.patch
        self.extra_tokens = nn.Parameter(torch.randn(1, 1, D))
        self.fixed_positional_encoder = Holder()
        table = sincos_table(D, cfg["max_time_patches"], self.freq_patches)
        self.fixed_positional_encoder.positions = nn.Parameter(torch.from_numpy(table)[None], requires_grad=False)
        self.context_encoder = Holder()
        self.context_encoder.norm = nn.LayerNorm(D, eps=1e-6)
        if cfg.get("decoder_layers"):
            self.decoder = Decoder2d(D, cfg["decoder_layers"], 3, 16, cfg["target_length"] // self.patch, self.freq_patches)

    def local_tokens(self, x, visibility=None):
        """x (B, 1, T, 128); visibility (B, T/p, F/p) with 1 = visible, or None."""
        if not self.multires:
            return self.local_encoder(x).flatten(2).transpose(1, 2)
        res = self.cfg["resolutions"]
        stage_outputs = []
        for s in range(len(res)):
            x = self.patch_embed[s](x)
            if s == len(res) - 1:
                break
            mask = None
            if visibility is not None:
                g = self.patch // res[s]
                mask = F.interpolate(visibility[:, None].float(), scale_factor=g, mode="nearest")
            for block in self.conv_blocks[s]:
                x = block(x, mask)
            stage_outputs.append(self.stage_output_decode[s](x).flatten(2).transpose(1, 2))
        x = self.patch_embed[-1](x.flatten(2).transpose(1, 2))
        return x + sum(stage_outputs)


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.modality_encoders = nn.ModuleDict({"IMAGE": ImageEncoder(cfg)})
        self.blocks = nn.ModuleList([AltBlock(cfg["dim"], cfg["heads"]) for _ in range(cfg["depth"])])
        for m in self.modules():  # init_bert_params on every Linear (decoder proj is reset below)
            if isinstance(m, nn.Linear):
                m.weight.data.normal_(0.0, 0.02)
                m.bias.data.zero_()
        enc = self.modality_encoders["IMAGE"]
        if hasattr(enc, "decoder"):
            enc.decoder.proj.reset_parameters()
        if cfg.get("rr_dim"):
            self.clap_proj = nn.Linear(cfg["dim"], cfg["rr_dim"])

    def forward(self, x, visibility=None):
        """x (B, T, 128). Returns CLS (B, D), tokens (B, K, D), FFN outputs [(B, 1+K, D)]."""
        enc = self.modality_encoders["IMAGE"]
        masked = visibility is not None and enc.multires
        tokens = enc.local_tokens(x[:, None], visibility if masked else None)
        N = tokens.shape[1]
        tokens = tokens + enc.fixed_positional_encoder.positions[:, :N]
        if visibility is not None:
            keep = visibility.reshape(x.shape[0], -1).bool()
            tokens = tokens[keep].reshape(x.shape[0], -1, tokens.shape[-1])
        h = torch.cat([enc.extra_tokens.expand(x.shape[0], -1, -1), tokens], dim=1)
        h = enc.context_encoder.norm(h)
        ffn = []
        for block in self.blocks:
            h, t = block(h)
            ffn.append(t)
        return h[:, 0], h[:, 1:], ffn


def count(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
