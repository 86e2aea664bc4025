#!/usr/bin/env node
import { run } from './index.js';

// `psp-translate ... | head` closes stdout early; that is the reader's choice, not an error to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

process.exitCode = await run(process.argv.slice(2));
