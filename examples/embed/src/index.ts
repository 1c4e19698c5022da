export {
  audioPatchCount,
  CLIPS_FOLDER,
  cosineSimilarity,
  type EmbedOptions,
  embedArguments,
  GRANULARITIES,
  meanOfRows,
  readEmbeddings,
  runEmbed,
  similarityTable,
} from './embed.js';
