// Loaded into every child with `--import` by the supervisor. Children run in their own process
// group (so a terminal's Ctrl-C reaches only the supervisor, which stops them in order); the cost
// is that they would outlive a supervisor killed with SIGKILL. The IPC channel closes whenever
// the supervisor dies, however it dies, so on `disconnect` the child stops as if sent SIGTERM.
if (process.channel) {
  // Unreferenced, the channel does not keep a child alive once its own work is done.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
