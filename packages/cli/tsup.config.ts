import { packageBuild } from '../../tsup.config.base';

export default packageBuild(['src/bin.ts', 'src/index.ts'], { dts: { entry: 'src/index.ts' } });
