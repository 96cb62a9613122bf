import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { ByteCount } from './byte-count.ts';

/** A load's CSV written to local disk, for warehouses that read a file (DuckDB) or upload one (Snowflake PUT). */
export interface StagedCsvFile {
  readonly file: string;
  /** CSV bytes read from the stream (before any compression). */
  readonly bytes: number;
  /** Deletes the file and its folder. */
  remove(): Promise<void>;
}

/** The staging folder or file could not be written: a full or read-only disk, not bad rows. */
export class CsvStagingError extends Error {
  override readonly name = 'CsvStagingError';
}

/**
 * Streams a CSV to a new file in a folder of its own under `parent` (so concurrent loads never
 * share a file), gzipped when asked. Back-pressure reaches the source; memory stays bounded.
 * @throws CsvStagingError when the folder or file cannot be written (the file is removed);
 *   an error of the CSV stream itself is the source's, and is passed on as is.
 */
export async function stageCsvFile(csv: AsyncIterable<Buffer>, parent: string, options: { gzip: boolean }): Promise<StagedCsvFile> {
  let directory: string;
  try {
    directory = await mkdtemp(join(parent, 'ferry-load-'));
  } catch (error) {
    throw new CsvStagingError(`cannot create a staging folder in ${parent} (${(error as Error).message})`, { cause: error });
  }
  const remove = () => rm(directory, { recursive: true, force: true });
  const file = join(directory, options.gzip ? 'rows.csv.gz' : 'rows.csv');
  const counter = new ByteCount();
  const staged = createWriteStream(file);
  let writeFailure: Error | undefined;
  staged.on('error', (error) => {
    writeFailure = error;
  });
  // The pipeline destroys the file stream with the source's error too, so the file stream's error
  // alone cannot tell a failed read from a failed write: the source's is caught where it is thrown.
  let sourceFailure: { error: unknown } | undefined;
  async function* read(): AsyncGenerator<Buffer> {
    try {
      yield* csv;
    } catch (error) {
      sourceFailure = { error };
      throw error;
    }
  }
  try {
    await (options.gzip ? pipeline(read(), counter.through, createGzip(), staged) : pipeline(read(), counter.through, staged));
  } catch (error) {
    await remove();
    if (sourceFailure !== undefined) throw sourceFailure.error;
    if (error !== writeFailure) throw error;
    throw new CsvStagingError(`cannot stage the CSV in ${directory} (${(error as Error).message})`, { cause: error });
  }
  return { file, bytes: counter.bytes, remove };
}
