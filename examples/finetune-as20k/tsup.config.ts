import { packageBuild } from '../../tsup.config.base';

// The library (manifests, the program) and the two executables.
export default [
  packageBuild(['src/index.ts']),
  packageBuild(['src/run.ts', 'src/mini.ts'], { format: ['esm'], dts: false, clean: false }),
];
