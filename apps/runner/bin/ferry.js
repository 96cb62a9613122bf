#!/usr/bin/env node
// Ferry is written in TypeScript and run without a build step: tsx compiles on load.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
