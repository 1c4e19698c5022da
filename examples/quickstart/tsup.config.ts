import { packageBuild } from '../../tsup.config.base';

// The library (dataset builder) and the `pnpm demo` program.
export default [
  packageBuild(['src/index.ts']),
  packageBuild(['src/demo.ts'], { format: ['esm'], dts: false, clean: false }),
];
