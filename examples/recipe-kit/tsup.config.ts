import { packageBuild } from '../../tsup.config.base';

// A library only: the examples' programs are built in their own packages.
export default packageBuild(['src/index.ts']);
