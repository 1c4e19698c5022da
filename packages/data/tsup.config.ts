import { packageBuild } from '../../tsup.config.base';

// worker.ts is the FbankLoader's worker thread, found at run time as `./worker.js` next to `node.js`;
// the shims give the CommonJS build an `import.meta.url` to resolve it from.
export default packageBuild(['src/index.ts', 'src/node.ts', 'src/worker.ts'], { shims: true });
