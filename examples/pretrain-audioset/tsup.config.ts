import { packageBuild } from '../../tsup.config.base';

// The library (manifests, evaluation, miniature dataset) and the two programs.
export default [
  packageBuild(['src/index.ts']),
  packageBuild(['src/run.ts', 'src/mini.ts'], { format: ['esm'], dts: false, clean: false }),
];
