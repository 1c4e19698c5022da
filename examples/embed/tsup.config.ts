import { packageBuild } from '../../tsup.config.base';

// The library (running `cat-audio embed`, reading the .npy back, similarities) and the `pnpm start` program.
export default [
  packageBuild(['src/index.ts']),
  packageBuild(['src/demo.ts'], { format: ['esm'], dts: false, clean: false }),
];
