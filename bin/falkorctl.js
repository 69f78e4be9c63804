#!/usr/bin/env node
// Tiny entry: check the runtime, hand over to dist/, turn the result into an exit code.
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`falkorctl needs Node.js 20 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
// `falkorctl status | head`: a reader that stops early is not an error (no stack trace, exit 0)
for (const s of [process.stdout, process.stderr])
  s.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv);
