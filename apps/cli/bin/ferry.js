#!/usr/bin/env node
// The CLI runs its compiled JavaScript (dist/, built by `nx build @ferry/cli` or `npm run build`).
await import('../dist/main.js');
