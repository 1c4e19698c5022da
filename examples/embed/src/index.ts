export * from './embed.js';
