export * from './types.js';
export * from './npy.js';
export * from './decode/index.js';
export * from './resample.js';
export * from './fbank/index.js';
export * from './normalize.js';
export * from './patch.js';
export * from './descriptors.js';
