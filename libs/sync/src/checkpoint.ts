/**
 * Named points in a sync where the crash-safety tests kill the process. With
 * FERRY_TEST_PAUSE_AT=<name> the process reports the point on stderr and waits forever, so a test
 * can SIGKILL it at exactly that point; without it this does nothing.
 */
export async function checkpoint(name: 'after-load' | 'after-swap' | 'after-stage' | 'after-merge'): Promise<void> {
  if (process.env.FERRY_TEST_PAUSE_AT !== name) return;
  process.stderr.write(`ferry: paused at ${name}\n`);
  // A pending promise alone does not keep Node running: with nothing else on the event loop (all
  // DuckDB, say) the process would exit here instead of waiting for the test to kill it.
  await new Promise(() => setInterval(() => {}, 60_000));
}
