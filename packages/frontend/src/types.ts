/** A log-mel spectrogram (or any frames × bins feature matrix), row-major: `data[t * bins + f]`. */
export interface Fbank {
  data: Float32Array;
  frames: number;
  bins: number;
}

/** Mono audio: the decoders mix every channel down to one by averaging. */
export interface MonoAudio {
  samples: Float32Array;
  sampleRate: number;
}
