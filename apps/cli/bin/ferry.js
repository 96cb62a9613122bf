#!/usr/bin/env node
// The CLI runs its compiled JavaScript (dist/, built by `nx build @ferry/cli` or `npm run build`).
import module from 'node:module';

// Node 22.1 and later keep the code they compile in a cache on disk, so a run after the first
// does not compile Ferry and its dependencies again: a one-tenant sync of 50k rows on Node 24,
// 0.63-0.64 s against 0.70-0.73 s. Node 20 has no such cache.
module.enableCompileCache?.();
await import('../dist/main.js');
