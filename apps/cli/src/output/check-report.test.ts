import { createServer, type Server } from 'node:net';
import { checkReachable, runChecks } from '@ferry/connections';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkLine } from './check-report.ts';

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it('a passed reachability check prints its time once (runChecks times it, the detail does not)', async () => {
  const [result] = await runChecks([{ name: 'reachable', run: () => checkReachable('127.0.0.1', port, { seconds: 5 }) }]);
  const line = checkLine(result!);
  expect(line).toMatch(new RegExp(`^ {2}✓ reachable +127\\.0\\.0\\.1:${port} accepts TCP connections \\(\\d+ ms\\)$`));
  expect(line.match(/\(\d+ ms\)/g)).toHaveLength(1);
});
