import { describe, expect, it } from 'vitest';
import { postgresConnection } from './postgres-connection.ts';
import { describePostgresError } from './postgres-errors.ts';

/** How a destination's ferry.yaml fields become pg's settings, directly and through an SSH tunnel. */
const via = { host: '127.0.0.1', port: 40123, through: 'SSH bastion ferry@bastion.acme.example:22' };

describe('postgresConnection', () => {
  it('puts a separately given password into the url pg connects with, encoded', () => {
    const { clientConfig, password } = postgresConnection({
      id: 'acme',
      url: 'postgres://ferry@db.acme.example/analytics',
      password: 'p@ss/w:rd',
      schema: 'knock',
    });
    expect(new URL(clientConfig.connectionString as string).password).toBe(encodeURIComponent('p@ss/w:rd'));
    expect(password).toBe('p@ss/w:rd');
  });

  it("through a tunnel: connects to the tunnel's local end, names the warehouse in messages, checks its certificate against the warehouse's host", () => {
    const { clientConfig, target } = postgresConnection(
      { id: 'acme', url: 'postgres://ferry@db.acme.internal:6432/analytics?sslmode=verify-full', schema: 'knock', via },
      'Postgres',
    );
    const url = new URL(clientConfig.connectionString as string);
    expect([url.hostname, url.port, url.pathname, url.searchParams.get('sslmode')]).toEqual(['127.0.0.1', '40123', '/analytics', null]);
    expect(clientConfig.ssl).toMatchObject({ servername: 'db.acme.internal' });
    expect(target).toMatchObject({ host: 'db.acme.internal', port: 6432, through: via.through });
  });

  it('through a tunnel without TLS: no TLS settings appear', () => {
    const { clientConfig } = postgresConnection({ id: 'acme', url: 'postgres://ferry@db.acme.internal/analytics', schema: 'knock', via });
    expect(clientConfig.ssl).toBeUndefined();
  });
});

describe('a connection that cannot be made', () => {
  const { target } = postgresConnection({
    id: 'acme',
    url: 'postgres://ferry@db.acme.internal/analytics',
    schema: 'knock',
    connectTimeoutSeconds: 7,
    via,
  });

  it('names the warehouse, the bastion it was reached through, and the timeout it ran out of', () => {
    const { kind, what } = describePostgresError(new Error('timeout expired'), target, 'connecting');
    expect(kind).toBe('connection');
    expect(what).toBe(
      'connecting failed: cannot reach Postgres at db.acme.internal:5432 through SSH bastion ferry@bastion.acme.example:22 ' +
        '(timeout expired, no connection within 7 s (connect_timeout)). Check the host and port as the bastion sees them, ' +
        'and that the warehouse accepts connections from the bastion',
    );
  });
});
