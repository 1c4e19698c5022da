// Stands in for src/main.ts in bin.test.ts's child processes: FAKE_MAIN picks how the command ends.
export function main(argv) {
  process.stdout.write(`argv: ${argv.join(' ')}\n`);
  switch (process.env.FAKE_MAIN) {
    case 'status':
      return Promise.resolve(Number(argv[0]));
    case 'reject':
      return Promise.reject(new Error('out of luck'));
    case 'pending':
      // What a wasm abort leaves behind: a promise nothing will settle, and nothing else to wait for.
      return new Promise(() => {});
    case 'exit-0':
      // Something calling process.exit(0) while the command still runs.
      setTimeout(() => process.exit(0), 10);
      return new Promise(() => {});
    case 'throw-later':
      setTimeout(() => {
        throw new Error('thrown outside the command');
      }, 10);
      return new Promise(() => {});
    default:
      throw new Error(`unknown FAKE_MAIN '${process.env.FAKE_MAIN}'`);
  }
}
