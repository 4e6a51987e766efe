/**
 * Imported first by every benchmark and probe entry. One piped into `head` gets EPIPE on its
 * next write, and the 'error' event nobody handled killed it before its `finally` ran: its
 * services kept running and its database and stream stayed. The rest of the output is
 * dropped instead, and the run finishes and cleans up.
 */
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
