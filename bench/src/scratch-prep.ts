import { prepareSource } from './source.ts';
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${l}\n`);
await prepareSource({ tenants: 1, messagesPerTenant: 20000000, seed: 1 }, log);
log('ready');
