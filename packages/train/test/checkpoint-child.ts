// Child process for checkpoints.test.ts: starts a large chunked write, says "writing" on stdout after the first
// chunk, and keeps writing slowly so the parent can SIGKILL it mid-write.
import { join } from 'node:path';
import { writeFileAtomic } from '@cat/frontend/node';
import { CheckpointDirectory } from '../src/checkpoints.js';

const root = process.env.CHECKPOINT_ROOT!;
const CHUNK = 1 << 20;

async function* slowChunks(): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < 64; i++) {
    yield new Uint8Array(CHUNK).fill(i + 1);
    if (i === 0) process.stdout.write('writing\n');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

if (process.env.CHILD_MODE === 'file') {
  await writeFileAtomic(join(root, 'weights.bin'), slowChunks());
} else {
  await new CheckpointDirectory(root).save(2, async (writer) => {
    await writer.writeJson('trainer.json', { step: 2 });
    await writer.writeFile('model.bin', slowChunks());
  });
}
process.stdout.write('finished\n');
