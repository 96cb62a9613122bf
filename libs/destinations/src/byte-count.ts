/**
 * Counts the bytes flowing through a CSV stream without holding on to them: `through` is a
 * pipeline stage, so back-pressure from the warehouse still reaches the source.
 * @example
 * const counter = new ByteCount();
 * await pipeline(csv, counter.through, copyStream);
 * counter.bytes; // CSV bytes sent
 */
export class ByteCount {
  /** Bytes seen so far. */
  bytes = 0;

  /** A pipeline stage that passes chunks on unchanged, counting them. */
  readonly through = (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> => this.count(source);

  private async *count(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.bytes += chunk.length;
      yield chunk;
    }
  }
}
