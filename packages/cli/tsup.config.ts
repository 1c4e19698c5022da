import { packageBuild } from '../../tsup.config.base';

// The library entry ships ESM + CJS + types; the executable only needs ESM.
export default [
  packageBuild(['src/index.ts']),
  packageBuild(['src/bin.ts'], { format: ['esm'], dts: false, clean: false }),
];
