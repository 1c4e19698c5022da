import { packageBuild } from '../../tsup.config.base';

// The library (labels, ontology, checkpoints, tagging) and the `pnpm start` program.
export default [
  packageBuild(['src/index.ts']),
  packageBuild(['src/demo.ts'], { format: ['esm'], dts: false, clean: false }),
];
