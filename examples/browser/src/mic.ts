/**
 * Microphone capture: the raw signal (no echo cancellation, noise suppression or gain control, which
 * would change the spectrum) at the device's rate, kept as the last `seconds` of audio.
 */
export class Microphone {
  readonly sampleRate: number;
  private readonly buffer: Float32Array;
  private written = 0;

  private constructor(
    private readonly context: AudioContext,
    private readonly stream: MediaStream,
    seconds: number,
  ) {
    this.sampleRate = context.sampleRate;
    this.buffer = new Float32Array(Math.ceil(seconds * context.sampleRate));
  }

  static async start(workletUrl: string, seconds: number): Promise<Microphone> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error(
        'microphone: this page needs a secure context (https or localhost) and a browser with getUserMedia',
      );
    }
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const context = new AudioContext();
    try {
      await context.audioWorklet.addModule(workletUrl);
      const microphone = new Microphone(context, stream, seconds);
      const source = context.createMediaStreamSource(stream);
      const tap = new AudioWorkletNode(context, 'cat-microphone-tap');
      tap.port.onmessage = (event: MessageEvent<Float32Array>) => microphone.append(event.data);
      source.connect(tap);
      // Not connected to the speakers: the tap only listens.
      await context.resume();
      return microphone;
    } catch (error) {
      stream.getTracks().forEach((track) => track.stop());
      await context.close();
      throw error;
    }
  }

  private append(block: Float32Array): void {
    const n = this.buffer.length;
    const take = block.subarray(Math.max(0, block.length - n));
    const at = this.written % n;
    const first = Math.min(take.length, n - at);
    this.buffer.set(take.subarray(0, first), at);
    this.buffer.set(take.subarray(first), 0);
    this.written += take.length;
  }

  /** Samples received so far. */
  get received(): number {
    return this.written;
  }

  /** The most recent samples (up to the buffer's length), oldest first. */
  recent(): Float32Array {
    const n = this.buffer.length;
    if (this.written <= n) return this.buffer.slice(0, this.written);
    const at = this.written % n;
    const out = new Float32Array(n);
    out.set(this.buffer.subarray(at), 0);
    out.set(this.buffer.subarray(0, at), n - at);
    return out;
  }

  async stop(): Promise<void> {
    this.stream.getTracks().forEach((track) => track.stop());
    await this.context.close();
  }
}
