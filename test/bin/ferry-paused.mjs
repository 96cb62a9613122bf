#!/usr/bin/env node
// `ferry` as the crash-safety tests run it: `node test/bin/ferry-paused.mjs <checkpoint> <ferry args...>`
// runs the real CLI (its compiled output), which reports reaching the checkpoint on stderr and then
// waits there, holding its connections, files and leases, for the test to SIGKILL it.
import { onCheckpoint } from '@ferry/sync';

const [, , pauseAt] = process.argv;
process.argv.splice(2, 1);
onCheckpoint(async (point) => {
  if (point !== pauseAt) return;
  process.stderr.write(`ferry: paused at ${point}\n`);
  // A pending promise alone does not keep Node running: with nothing else on the event loop (all
  // DuckDB, say) the process would exit here instead of waiting to be killed.
  await new Promise(() => setInterval(() => {}, 60_000));
});
await import('../../apps/cli/dist/main.js');
