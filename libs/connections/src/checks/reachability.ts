import net from 'node:net';

/**
 * Opens and closes a TCP connection to `host:port`: tells "nothing answers there" apart from a
 * refused login before any driver is involved.
 * @param timeout how long to wait, and the ferry.yaml field that sets it (named in the error)
 * @throws Error saying what happened, with the timeout it waited
 */
export function checkReachable(host: string, port: number, timeout: { readonly seconds: number; readonly setting?: string }): Promise<string> {
  const timeoutSeconds = timeout.seconds;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutSeconds * 1000);
    socket.once('connect', () => {
      socket.destroy();
      // No time taken here: runChecks times every check, and the report prints it after the detail.
      resolve(`${host}:${port} accepts TCP connections`);
    });
    socket.once('timeout', () => {
      socket.destroy();
      const setting = timeout.setting ? ` (${timeout.setting})` : '';
      reject(
        new Error(
          `no answer from ${host}:${port} within ${timeoutSeconds} s${setting}: check the host, the port and the firewall between Ferry and it`,
        ),
      );
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      reject(new Error(`${host}:${port} cannot be reached (${reachabilityReason(error)})`));
    });
  });
}

function reachabilityReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused: nothing listens on that port; check the port, and that the server is running';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve: check the host';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host: check the address and the network between Ferry and it';
    default:
      return error.code ?? error.message;
  }
}
