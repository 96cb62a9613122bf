// What other programs may call without spawning the CLI: Ferry's example workspace (its demo)
// drives a sync through the same path as `ferry sync`.
export { runSync } from './commands/sync.ts';
export { table } from './output/format.ts';
export { findProject, type Project } from './project/project.ts';
