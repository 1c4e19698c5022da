export { type LabelledFbanks, loadLabelledFbanks } from './data.js';
export { loadModel, MODEL_JSON, saveModel, WEIGHTS_BIN } from './io.js';
export { buildComposedModel, type ComposedModelOptions } from './model.js';
export { evaluate, namedParameters, predict, type TrainOptions, trainModel } from './train.js';
