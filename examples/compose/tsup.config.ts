import { packageBuild } from '../../tsup.config.base';

// The library (model, data, training loop, save/load) and the `pnpm start` program.
export default [
  packageBuild(['src/index.ts']),
  packageBuild(['src/demo.ts'], { format: ['esm'], dts: false, clean: false }),
];
