import type { SshTunnel } from '@ferry/connections';
import { dialects } from '@ferry/dialects';
import type { Source, SourceKind } from '@ferry/sources';
import type { Via } from '@ferry/destinations';

/**
 * One SSH tunnel to the source, shared by every destination's transfer in a run: opened by the
 * first connect, closed by `close()` at the end of the run. A failed open is retried by the next
 * connect, so a bastion that comes back is used again.
 */
export class SourceTunnel {
  readonly #open: () => Promise<{ tunnel: SshTunnel; via: Via }>;
  #opening: Promise<{ tunnel: SshTunnel; via: Via }> | undefined;

  constructor(open: () => Promise<{ tunnel: SshTunnel; via: Via }>) {
    this.#open = open;
  }

  async via(): Promise<Via> {
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return (await this.#opening).via;
  }

  /** Why the tunnel failed, if it did. */
  async problem(): Promise<string | undefined> {
    return this.#opening?.then(
      ({ tunnel }) => tunnel.problem,
      () => undefined,
    );
  }

  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    await opening?.then(
      ({ tunnel }) => tunnel.close(),
      () => {},
    );
  }
}

/** A source reached through a `SourceTunnel`: built for the tunnel's local end when it connects. */
export class TunneledSource implements Source {
  readonly kind: SourceKind;
  readonly #tunnel: SourceTunnel;
  readonly #create: (via: Via) => Source;
  #source: Source | undefined;

  constructor(tunnel: SourceTunnel, kind: SourceKind, create: (via: Via) => Source) {
    this.kind = kind;
    this.#tunnel = tunnel;
    this.#create = create;
  }

  async connect(): Promise<void> {
    const source = this.#create(await this.#explained(this.#tunnel.via()));
    this.#source = source;
    await this.#explained(source.connect());
  }

  async close(): Promise<void> {
    await this.#source?.close();
  }

  async *exportCsv(...args: Parameters<Source['exportCsv']>): AsyncIterable<Buffer> {
    try {
      yield* this.#connected().exportCsv(...args);
    } catch (error) {
      throw await this.#explain(error);
    }
  }

  checkColumns(...args: Parameters<Source['checkColumns']>): ReturnType<Source['checkColumns']> {
    return this.#explained(this.#connected().checkColumns(...args));
  }

  tenantValues(...args: Parameters<Source['tenantValues']>): ReturnType<Source['tenantValues']> {
    return this.#explained(this.#connected().tenantValues(...args));
  }

  count(...args: Parameters<Source['count']>): ReturnType<Source['count']> {
    return this.#explained(this.#connected().count(...args));
  }

  /** The tunnel carries a Postgres source (the only kind it is built for). */
  readonly keyHashes = dialects.postgres.keyHashes;
  readonly slowKeyHashes = dialects.postgres.slowKeyHashes;

  postgresColumnTypes(...args: Parameters<NonNullable<Source['postgresColumnTypes']>>): Promise<ReadonlyMap<string, string>> {
    const source = this.#connected();
    if (!source.postgresColumnTypes) throw new Error('the tunneled source is not a Postgres source');
    return this.#explained(source.postgresColumnTypes(...args));
  }

  async *exportPostgresBinary(...args: Parameters<NonNullable<Source['exportPostgresBinary']>>): AsyncIterable<Buffer> {
    const source = this.#connected();
    if (!source.exportPostgresBinary) throw new Error('the tunneled source is not a Postgres source');
    try {
      yield* source.exportPostgresBinary(...args);
    } catch (error) {
      throw await this.#explain(error);
    }
  }

  keyBuckets(...args: Parameters<Source['keyBuckets']>): ReturnType<Source['keyBuckets']> {
    return this.#explained(this.#connected().keyBuckets(...args));
  }

  async *exportKeysInBuckets(...args: Parameters<Source['exportKeysInBuckets']>): AsyncIterable<Buffer> {
    try {
      yield* this.#connected().exportKeysInBuckets(...args);
    } catch (error) {
      throw await this.#explain(error);
    }
  }

  /** The tunnel carries a Postgres source (the only kind it is built for); connected, its own answer (it depends on the server's version). */
  get rowDigestFamily(): string | undefined {
    return this.#source ? this.#source.rowDigestFamily : dialects.postgres.rowDigests?.family;
  }

  rowBuckets(...args: Parameters<Source['rowBuckets']>): ReturnType<Source['rowBuckets']> {
    return this.#explained(this.#connected().rowBuckets(...args));
  }

  async *exportRowHashesInBuckets(...args: Parameters<Source['exportRowHashesInBuckets']>): AsyncIterable<Buffer> {
    try {
      yield* this.#connected().exportRowHashesInBuckets(...args);
    } catch (error) {
      throw await this.#explain(error);
    }
  }

  #connected(): Source {
    if (!this.#source) throw new Error('the source is not connected: call connect() first');
    return this.#source;
  }

  async #explained<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw await this.#explain(error);
    }
  }

  /** The driver only sees its connection cut; the tunnel knows why. The cause keeps the code retries look at. */
  async #explain(error: unknown): Promise<unknown> {
    const problem = await this.#tunnel.problem();
    if (problem === undefined || !(error instanceof Error) || error.message.includes(problem)) return error;
    return new Error(`${error.message} (${problem})`, { cause: error });
  }
}
