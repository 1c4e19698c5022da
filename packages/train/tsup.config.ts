import { packageBuild } from '../../tsup.config.base';

// replica-worker.ts is the data-parallel pre-training worker, found at run time next to the bundle.
export default packageBuild(['src/index.ts', 'src/node.ts', 'src/replica-worker.ts']);
