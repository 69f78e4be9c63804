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
// --verbose prints stack traces: map them to src/ (the bundle's source maps are read only then)
if (process.argv.includes('--verbose')) process.setSourceMapsEnabled(true);
// The bundle (npm run bundle: one file per lazily loaded command, dependencies inlined) loads faster than
// the module tree tsc writes; a checkout without it runs dist/ as built.
const { main } = await import('../dist/bundle/cli.js').catch((e) => {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/bundle/cli.js')) throw e;
  return import('../dist/cli.js');
});
process.exitCode = await main(process.argv);
