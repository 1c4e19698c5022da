import { packageBuild } from '../../tsup.config.base';

// The library (dataset builder), the `pnpm demo` program and the regularization comparison.
export default [
  packageBuild(['src/index.ts']),
  packageBuild(['src/demo.ts', 'src/compare.ts'], { format: ['esm'], dts: false, clean: false }),
];
