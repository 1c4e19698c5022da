import { describe, expect, it } from 'vitest';
import { setDspKernelEnabled } from '../src/fbank/kernel/dsp-kernel.js';
import { resample } from '../src/resample.js';
import { loadNpy, manifest } from './fbank-fixtures.js';

describe('resample', () => {
  for (const kernel of [true, false]) {
    for (const c of manifest.resample) {
      it(`matches torchaudio.functional.resample ${c.fromRate} -> ${c.toRate} Hz (WebAssembly kernel: ${kernel})`, () => {
        const input = loadNpy(c.input).data;
        const expected = loadNpy(c.output).data;
        setDspKernelEnabled(kernel);
        const actual = resample(input, c.fromRate, c.toRate);
        setDspKernelEnabled(true);
        expect(actual.length).toBe(expected.length);
        let max = 0;
        for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i] - expected[i]));
        // torchaudio convolves in float32; the float64 accumulation here differs by float32 rounding only.
        expect(max).toBeLessThan(3e-5);
      });
    }
  }

  it('gives the same result in the kernel and in TypeScript across output blocks (3 s at 44.1 kHz)', () => {
    const x = new Float32Array(3 * 44100);
    for (let i = 0; i < x.length; i++)
      x[i] = Math.sin(i * 0.05) * Math.cos(i * 0.0007) + ((i * 7919) % 13) / 100;
    const viaKernel = resample(x, 44100, 16000);
    setDspKernelEnabled(false);
    const viaTypeScript = resample(x, 44100, 16000);
    setDspKernelEnabled(true);
    let max = 0;
    for (let i = 0; i < viaKernel.length; i++) max = Math.max(max, Math.abs(viaKernel[i] - viaTypeScript[i]));
    expect(viaKernel.length).toBe(48000);
    expect(max).toBeLessThan(1e-6);
  });

  it('gives ceil(n · to / from) samples, like torchaudio', () => {
    expect(resample(new Float32Array(1001), 44100, 16000).length).toBe(Math.ceil((1001 * 160) / 441));
    expect(resample(new Float32Array(7), 48000, 16000).length).toBe(3);
    expect(resample(new Float32Array(5), 8000, 16000).length).toBe(10);
    expect(resample(new Float32Array(0), 32000, 16000).length).toBe(0);
  });

  it('keeps a band-limited sine (amplitude and phase) away from the edges', () => {
    const x = new Float32Array(44100);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin((2 * Math.PI * 1000 * i) / 44100);
    const y = resample(x, 44100, 16000);
    let max = 0;
    for (let j = 200; j < y.length - 200; j++)
      max = Math.max(max, Math.abs(y[j] - Math.sin((2 * Math.PI * 1000 * j) / 16000)));
    expect(max).toBeLessThan(2e-3);
  });

  it('removes content above the new Nyquist frequency', () => {
    const x = new Float32Array(48000);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin((2 * Math.PI * 12000 * i) / 48000);
    const y = resample(x, 48000, 16000);
    let energy = 0;
    for (let j = 200; j < y.length - 200; j++) energy += y[j] * y[j];
    // Input power 0.5; the 6-zero-crossing Hann sinc attenuates 12 kHz by more than 45 dB.
    expect(energy / (y.length - 400)).toBeLessThan(1e-5);
  });

  it('returns the input unchanged for equal rates and rejects bad rates', () => {
    const x = new Float32Array([1, 2, 3]);
    expect(resample(x, 16000, 16000)).toBe(x);
    expect(() => resample(x, 0, 16000)).toThrow(/fromRate/);
    expect(() => resample(x, 16000, 22050.5)).toThrow(/toRate/);
    expect(() => resample(x, 44100, 16000, { rolloff: 0 })).toThrow(/rolloff/);
  });
});
