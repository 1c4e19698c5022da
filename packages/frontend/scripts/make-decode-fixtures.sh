#!/usr/bin/env bash
# Dev script (not needed to build or test): writes the tiny decode fixtures in test/__fixtures__/decode/.
# Needs Debian's /usr/bin/python3 with numpy + soundfile, and ffmpeg (libmp3lame, libvorbis).
# For every audio file it also writes `<file>.expected.npy`: what `soundfile.read(path, dtype="float32")`
# returns (shape (frames,) or (frames, channels)), because the reference front end reads audio that way.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/test/__fixtures__/decode"
mkdir -p "$out"
cd "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp" <<'PY'
import sys
import numpy as np
import soundfile as sf

tmp = sys.argv[1]
rate = 16000
t = np.arange(4000) / rate  # 0.25 s
mono = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * 1000 * t + 0.3)
left = 0.6 * np.sin(2 * np.pi * 440 * t)
right = 0.3 * np.sin(2 * np.pi * 700 * t + 1.0)
stereo = np.stack([left, right], axis=1)

# Lossless files carry both full-scale extremes so clipping and scaling are exercised.
lossless = mono.copy()
lossless[10], lossless[11] = -1.0, 1.0
for name, fmt, subtype in [
    ("pcm_u8.wav", "WAV", "PCM_U8"),
    ("pcm_s16.wav", "WAV", "PCM_16"),
    ("pcm_s24.wav", "WAV", "PCM_24"),
    ("pcm_s32.wav", "WAV", "PCM_32"),
    ("float32.wav", "WAV", "FLOAT"),
    ("float64.wav", "WAV", "DOUBLE"),
    ("extensible_s24.wav", "WAVEX", "PCM_24"),
    ("extensible_float32.wav", "WAVEX", "FLOAT"),
    ("rf64_s16.wav", "RF64", "PCM_16"),
    ("flac_s16.flac", "FLAC", "PCM_16"),
    ("flac_s24.flac", "FLAC", "PCM_24"),
]:
    sf.write(name, lossless, rate, format=fmt, subtype=subtype)
sf.write("stereo_s16.wav", stereo, rate, format="WAV", subtype="PCM_16")
sf.write("stereo_s16.flac", stereo, rate, format="FLAC", subtype="PCM_16")

# Sources for the lossy encoders (ffmpeg reads these); the float32 source is the tolerance reference.
sf.write(f"{tmp}/source_mono.wav", mono, rate, subtype="FLOAT")
sf.write(f"{tmp}/source_stereo.wav", stereo, rate, subtype="FLOAT")
np.save("source_mono.npy", mono.astype(np.float32))
np.save("source_stereo.npy", stereo.astype(np.float32))
PY

ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
ff -i "$tmp/source_mono.wav" -c:a libvorbis -q:a 6 vorbis_mono.ogg
ff -i "$tmp/source_stereo.wav" -c:a libvorbis -q:a 6 vorbis_stereo.ogg
ff -i "$tmp/source_mono.wav" -c:a libmp3lame -b:a 64k mp3_mono.mp3
ff -i "$tmp/source_stereo.wav" -c:a libmp3lame -b:a 96k mp3_stereo.mp3
ff -i "$tmp/source_mono.wav" -c:a flac -sample_fmt s16 ogg_flac.oga
# Several FLAC frames, so a truncated copy still decodes its first frames.
ff -i "$tmp/source_mono.wav" -c:a flac -sample_fmt s16 -frame_size 1024 flac_1024_frames.flac

/usr/bin/python3 - <<'PY'
import glob
import numpy as np
import soundfile as sf

# libsndfile cannot read Ogg FLAC (.oga): the tests compare that one against its source instead.
for path in sorted(glob.glob("*.wav") + glob.glob("*.flac") + glob.glob("*.ogg") + glob.glob("*.mp3")):
    data, rate = sf.read(path, dtype="float32")
    np.save(f"{path}.expected.npy", data)
    print(f"{path}: {data.shape} @ {rate} Hz")
PY
