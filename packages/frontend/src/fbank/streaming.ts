import type { Fbank } from '../types.js';
import type { FbankFrameComputer } from './kaldi.js';
import { finiteSum, frameComputerFor, snippedFrameCount } from './kaldi.js';
import type { KaldiFbankOptions } from './options.js';

export interface StreamingFbankOptions extends Partial<KaldiFbankOptions> {
  /**
   * A constant subtracted from every sample before framing (in float32, as `x - mean` in the reference).
   * The reference pipeline removes the whole clip's mean, which is unknown until the clip ends, so a stream
   * can only reproduce it when the mean is known in advance (otherwise leave 0; `removeDcOffset` still
   * removes each frame's own mean).
   */
  dcOffset?: number;
}

/**
 * Incremental `kaldiFbank`: push audio in chunks of any size and get each frame as soon as its last sample
 * arrives. The concatenated output equals `kaldiFbank(wholeClip, options)` exactly (including dither with the
 * same seed). Only `snipEdges: true` can stream (reflection needs the end of the clip) and `subtractMean`
 * needs the whole clip, so both are rejected.
 */
export class StreamingFbank {
  private readonly options: Partial<KaldiFbankOptions>;
  private readonly dcOffset: number;
  private computer: FbankFrameComputer;
  private buffer: Float32Array;
  /** Samples held in `buffer`; they start at the next frame's first sample. */
  private held = 0;

  constructor(options: StreamingFbankOptions = {}) {
    const { dcOffset = 0, ...fbankOptions } = options;
    this.options = fbankOptions;
    this.dcOffset = Math.fround(dcOffset);
    this.computer = frameComputerFor(fbankOptions);
    const g = this.computer.geometry;
    if (!g.snipEdges)
      throw new RangeError('StreamingFbank: snipEdges false needs the whole clip; use kaldiFbank');
    if (g.subtractMean)
      throw new RangeError('StreamingFbank: subtractMean needs the whole clip; use kaldiFbank');
    this.buffer = new Float32Array(4 * g.windowSize);
  }

  /** Output columns per frame. */
  get bins(): number {
    return this.computer.bins;
  }

  /** Append samples; returns the frames completed by them (possibly none). */
  push(chunk: Float32Array): Fbank {
    finiteSum(chunk, 'StreamingFbank.push');
    const g = this.computer.geometry;
    if (this.held + chunk.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(2 * this.buffer.length, this.held + chunk.length));
      grown.set(this.buffer.subarray(0, this.held));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.held);
    this.held += chunk.length;
    const frames = snippedFrameCount(this.held, g.windowSize, g.windowShift);
    const bins = this.computer.bins;
    const data = new Float32Array(frames * bins);
    this.computer.computeFrames(this.buffer, 0, frames, data, 0, this.dcOffset);
    const consumed = frames * g.windowShift;
    this.buffer.copyWithin(0, consumed, this.held);
    this.held -= consumed;
    return { data, frames, bins };
  }

  /**
   * End the stream: with snipEdges every complete frame has already been returned, so this returns no
   * frames; it drops the partial last frame and resets the stream (and the dither noise) for a new clip.
   */
  flush(): Fbank {
    this.held = 0;
    if (this.computer.geometry.dither !== 0) this.computer = frameComputerFor(this.options);
    return { data: new Float32Array(0), frames: 0, bins: this.computer.bins };
  }
}
