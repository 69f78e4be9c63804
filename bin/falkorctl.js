#!/usr/bin/env node
// Tiny entry: check the runtime, hand over to dist/, turn the result into an exit code.
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`falkorctl needs Node.js 20 or newer (this is ${process.version}).\n`);
  process.exit(2);
}
const { main } = await import('../dist/cli.js');
process.exitCode = await main(process.argv);
