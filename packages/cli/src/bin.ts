#!/usr/bin/env node
// The `kubeloom` executable: runs the command line and exits with its code.
import { main } from './main.ts';

// Piped into a reader that stops early (`| head`): stop writing instead of crashing.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
process.exitCode = await main(process.argv.slice(2));
