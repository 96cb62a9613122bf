import { open } from 'node:fs/promises';
import { createServer } from 'node:net';

/** What the test servers (sshd, a TLS Postgres) share: a free port, and reading their logs. */

/** A loopback port nothing listens on right now (another process may still take it: callers retry). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The log from byte `offset` on ('' when the file does not exist yet): what a server wrote since. */
export async function readFrom(path: string, offset: number): Promise<string> {
  const file = await open(path, 'r').catch(() => undefined);
  if (file === undefined) return '';
  try {
    const { size } = await file.stat();
    const buffer = Buffer.alloc(Math.max(0, size - offset));
    await file.read(buffer, 0, buffer.length, offset);
    return buffer.toString();
  } finally {
    await file.close();
  }
}

/** The last 40 lines of a server's log, for an error that says why it did not start. */
export async function logTail(path: string): Promise<string> {
  return (await readFrom(path, 0)).split('\n').slice(-40).join('\n');
}
