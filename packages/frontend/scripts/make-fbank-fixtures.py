#!/usr/bin/python3
"""Make the reference fixtures for the resample / Kaldi fbank tests (dev script, not run by the tests).

Run with Debian's Python (torch 1.13 + torchaudio 0.13 + soundfile):
    /usr/bin/python3 scripts/make-fbank-fixtures.py
Reads test/__fixtures__/audio/*, writes test/__fixtures__/fbank/:
  inputs/*.npy       float32 input waveforms (short clips, 0.25-2 s)
  out/*.npy          float32 torchaudio outputs
  manifest.json      the cases: {resample: [...], fbank: [...], reference: [...]}
Options in the manifest are torchaudio's snake_case keyword arguments.
"""
import json
import os

import numpy as np
import soundfile as sf
import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))
AUDIO = os.path.join(HERE, "..", "test", "__fixtures__", "audio")
OUT = os.path.join(HERE, "..", "test", "__fixtures__", "fbank")


def save(rel, array):
    """Write a float32 .npy atomically (temp file in the same folder, then rename)."""
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp.npy"
    np.save(tmp, np.ascontiguousarray(array, dtype=np.float32))
    os.replace(tmp, path)
    return rel


def read_mono(name):
    wav, sr = sf.read(os.path.join(AUDIO, name), dtype="float64", always_2d=True)
    return wav.mean(axis=1).astype(np.float32), sr


def test_signal(rate, seconds, seed):
    """Sines (incl. some above 8 kHz, to exercise the anti-aliasing filter) + white noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    x = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000.5 * t)
    x += 0.1 * np.sin(2 * np.pi * min(9500, 0.45 * rate) * t) + 0.05 * rng.standard_normal(t.size)
    return x.astype(np.float32)


def main():
    manifest = {"resample": [], "fbank": [], "reference": []}

    # --- resample(): torchaudio.functional.resample with its defaults, down- and up-sampling
    for rate_from, rate_to in [
        (8000, 16000),
        (22050, 16000),
        (32000, 16000),
        (44100, 16000),
        (48000, 16000),
        (16000, 22050),
        (16000, 44100),
        (11025, 16000),
    ]:
        x = test_signal(rate_from, 0.25, rate_from)
        y = torchaudio.functional.resample(torch.from_numpy(x), rate_from, rate_to).numpy()
        name = f"resample_{rate_from}_{rate_to}"
        manifest["resample"].append(
            {
                "name": name,
                "fromRate": rate_from,
                "toRate": rate_to,
                "input": save(f"inputs/{name}.npy", x),
                "output": save(f"out/{name}.npy", y),
            }
        )

    # --- kaldi fbank, one option at a time, on short 16 kHz clips
    guitar, sr = read_mono("guit_harmonics_16k.wav")
    assert sr == 16000
    guitar = guitar[8000:8000 + 24000]  # 1.5 s
    silence_guitar = np.concatenate([np.zeros(4800, np.float32), guitar[:12000], np.zeros(3200, np.float32)])
    inputs = {
        "guitar": save("inputs/guitar_16k.npy", guitar),
        "silence_guitar": save("inputs/silence_guitar_16k.npy", silence_guitar),
        "guitar_8k": save(
            "inputs/guitar_8k.npy", torchaudio.functional.resample(torch.from_numpy(guitar), 16000, 8000).numpy()
        ),
    }
    cat = dict(htk_compat=True, sample_frequency=16000, use_energy=False, window_type="hanning", num_mel_bins=128,
               dither=0.0, frame_shift=10)
    cases = [
        ("defaults", "guitar", {}),
        ("cat", "guitar", cat),
        ("cat_silence", "silence_guitar", cat),
        ("hamming", "guitar", dict(window_type="hamming")),
        ("hanning", "guitar", dict(window_type="hanning")),
        ("rectangular", "guitar", dict(window_type="rectangular")),
        ("blackman", "guitar", dict(window_type="blackman")),
        ("blackman_coeff", "guitar", dict(window_type="blackman", blackman_coeff=0.5)),
        ("snip_edges_false", "guitar", dict(snip_edges=False)),
        ("snip_edges_false_50_20", "guitar", dict(snip_edges=False, frame_length=50, frame_shift=20)),
        ("energy_htk", "silence_guitar", dict(use_energy=True, htk_compat=True)),
        ("energy_kaldi", "silence_guitar", dict(use_energy=True, htk_compat=False)),
        ("energy_not_raw", "guitar", dict(use_energy=True, raw_energy=False)),
        ("energy_floor_0", "silence_guitar", dict(use_energy=True, energy_floor=0.0)),
        ("energy_floor_2", "guitar", dict(use_energy=True, energy_floor=2.0)),
        ("low_high_freq", "guitar", dict(low_freq=100, high_freq=6000, num_mel_bins=40)),
        ("high_freq_negative", "guitar", dict(high_freq=-400, num_mel_bins=40)),
        ("use_power_false", "guitar", dict(use_power=False)),
        ("use_log_false", "guitar", dict(use_log_fbank=False)),
        ("pow2_false", "guitar", dict(round_to_power_of_two=False)),
        ("preemph_0", "guitar", dict(preemphasis_coefficient=0.0)),
        ("preemph_05", "guitar", dict(preemphasis_coefficient=0.5)),
        ("remove_dc_false", "guitar", dict(remove_dc_offset=False)),
        ("bins_80", "guitar", dict(num_mel_bins=80)),
        ("frame_50_20", "guitar", dict(frame_length=50, frame_shift=20)),
        ("subtract_mean", "guitar", dict(subtract_mean=True)),
        ("vtln_09", "guitar", dict(vtln_warp=0.9)),
        ("vtln_11", "guitar", dict(vtln_warp=1.1, vtln_low=200, vtln_high=-800)),
        ("rate_8k", "guitar_8k", dict(sample_frequency=8000, num_mel_bins=40)),
        ("rate_8k_snip_false", "guitar_8k", dict(sample_frequency=8000, snip_edges=False)),
    ]
    for name, source, kwargs in cases:
        x = np.load(os.path.join(OUT, inputs[source]))
        y = torchaudio.compliance.kaldi.fbank(torch.from_numpy(x)[None], **kwargs).numpy()
        manifest["fbank"].append(
            {"name": name, "input": inputs[source], "options": kwargs, "output": save(f"out/fbank_{name}.npy", y)}
        )

    # --- the reference pipeline (resample -> mean removal -> CAT fbank) on resampled inputs
    amen, amen_sr = read_mono("loop_amen_44k_stereo.flac")
    manifest["amenInput"] = save("inputs/loop_amen_44k_mono.npy", amen)
    for rate in (8000, 22050, 48000):
        x = torchaudio.functional.resample(torch.from_numpy(amen[:amen_sr // 2]), amen_sr, rate).numpy()
        w = torch.from_numpy(x)
        w = torchaudio.functional.resample(w, rate, 16000)
        w = w - w.mean()
        y = torchaudio.compliance.kaldi.fbank(w[None], **cat).numpy()
        name = f"reference_amen_{rate}"
        manifest["reference"].append(
            {"name": name, "sampleRate": rate, "input": save(f"inputs/{name}.npy", x),
             "output": save(f"out/{name}.npy", y)}
        )

    tmp = os.path.join(OUT, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, os.path.join(OUT, "manifest.json"))
    print("wrote", sum(len(v) for v in manifest.values() if isinstance(v, list)), "cases")


if __name__ == "__main__":
    main()
