import { pino, type Logger } from 'pino';
import type { ModelTransfer } from '@ferry/state';
import type { DestinationResult, ModelPlan, ModelVerificationOutcome, SyncEvents } from '@ferry/sync';
import { formatBytes, formatDuration } from './format.ts';
import { redactSecrets } from './redact.ts';

/** How events are written: `json` (pino lines) or `text` (a line per event, human); see createReporter. */
export type LogFormat = 'json' | 'text';

/**
 * Turns sync events into output, per `format` (`--log-format`, or FERRY_LOG_FORMAT): `text` is a
 * line per event, with live progress lines on a terminal; `json` is structured JSON logs (pino).
 * Unset: text on a terminal, JSON otherwise (a log collector's default). Every line passes
 * through redactSecrets on its way out.
 */
export function createReporter(stream: NodeJS.WriteStream = process.stderr, format = logFormat(process.env)): SyncEvents {
  if (format === 'text' || (format === undefined && stream.isTTY)) return textReporter(stream, stream.isTTY === true);
  return jsonReporter(pino({ base: { app: 'ferry' } }, { write: (line: string) => stream.write(redactSecrets(line)) }));
}

/** FERRY_LOG_FORMAT, checked. */
export function logFormat(env: NodeJS.ProcessEnv): LogFormat | undefined {
  const format = env.FERRY_LOG_FORMAT;
  if (format === undefined || format === '') return undefined;
  if (format === 'json' || format === 'text') return format;
  throw new Error(`FERRY_LOG_FORMAT must be json or text, not "${format}"`);
}

function jsonReporter(log: Logger): SyncEvents {
  return {
    destinationStarted: (destination, transfer) => log.info({ event: 'transfer.started', destination, transfer }, 'transfer started'),
    modelStarted: (destination, plan) =>
      log.info({ event: 'model.started', destination, model: plan.model, action: plan.action, reasons: plan.reasons }, 'model started'),
    modelFinished: (destination, outcome) =>
      outcome.error === null
        ? log.info({ event: 'model.finished', destination, ...outcome }, 'model synced')
        : log.error({ event: 'model.failed', destination, ...outcome, error: outcome.error }, 'model failed'),
    warning: (destination, message) => log.warn({ event: 'warning', destination, message }, message),
    keysCompared: (destination, model, comparison) =>
      log.info({ event: 'keys.compared', destination, model, ...comparison }, 'keys compared for hard deletes'),
    verifyStarted: (destination, model) => log.info({ event: 'verify.started', destination, model }, 'verification started'),
    verified: (destination, outcome) =>
      (outcome.result === 'equal' || outcome.result === 'repaired' ? log.info.bind(log) : log.error.bind(log))(
        { event: 'verify.finished', destination, ...outcome },
        verificationLine(destination, outcome).trim(),
      ),
    destinationFinished: (destination, result) =>
      (result.status === 'succeeded' ? log.info.bind(log) : log.error.bind(log))(
        { event: 'transfer.finished', destination, transfer: result.transferId, status: result.status, error: result.error },
        `transfer ${result.status}`,
      ),
    retrying: (destination, attempt, delayMs, error) =>
      log.warn({ event: 'retry', destination, attempt, delayMs, error: error.message }, 'transient error, retrying'),
  };
}

/** A model at work, as its progress line shows it. */
export interface Live {
  model: string;
  action: string;
  bytes: number;
  rows: number;
  /** The rows the load will read, when the source counted them. */
  total?: number;
  started: number;
}

/**
 * `⠋ acme messages (create) 12,345 of 50,000 rows (25%), 3.4 MB, 1.2 MB/s, about 12 s left`: rows
 * against the total when there is one (with an estimate of the time left from the rate so far),
 * else rows and bytes read.
 */
export function progressLine(destination: string, item: Live, now: number): string {
  const seconds = Math.max((now - item.started) / 1000, 0.001);
  const rows = item.rows.toLocaleString('en-US');
  const read =
    item.total === undefined || item.total === 0
      ? `${rows} rows`
      : `${rows} of ${item.total.toLocaleString('en-US')} rows (${Math.min(100, Math.floor((item.rows / item.total) * 100))}%)`;
  const left =
    item.total !== undefined && item.rows > 0 && item.rows < item.total
      ? `, about ${formatDuration(((item.total - item.rows) / item.rows) * seconds * 1000)} left`
      : '';
  return `  ${spinner(now)} ${destination} ${item.model} (${item.action}) ${read}, ${formatBytes(item.bytes)}, ${formatBytes(item.bytes / seconds)}/s${left}`;
}

/** A line per event; on a terminal (`live`), also a progress line per destination at work, redrawn in place. */
function textReporter(stream: NodeJS.WriteStream, live: boolean): SyncEvents {
  const working = new Map<string, Live>();
  let drawn = 0;
  let lastDraw = 0;
  const clear = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    if (!live) return;
    clear();
    const now = Date.now();
    for (const [destination, item] of working) {
      stream.write(`${progressLine(destination, item, now)}\n`);
      drawn += 1;
    }
    lastDraw = now;
  };
  const print = (line: string) => {
    clear();
    stream.write(`${redactSecrets(line)}\n`);
    draw();
  };
  return {
    modelStarted: (destination: string, plan: ModelPlan) => {
      working.set(destination, { model: plan.model, action: plan.action, bytes: 0, rows: 0, started: Date.now() });
      draw();
    },
    modelTotal: (destination, _model, rows) => {
      const item = working.get(destination);
      if (item) item.total = rows;
      draw();
    },
    modelProgress: (destination, _model, progress) => {
      const item = working.get(destination);
      if (item) Object.assign(item, progress);
      if (Date.now() - lastDraw > 100) draw();
    },
    modelFinished: (destination, outcome) => {
      working.delete(destination);
      print(modelLine(destination, outcome));
    },
    verifyStarted: (destination, model) => {
      working.set(destination, { model, action: 'verify', bytes: 0, rows: 0, started: Date.now() });
      draw();
    },
    verified: (destination, outcome) => {
      working.delete(destination);
      print(verificationLine(destination, outcome));
    },
    destinationFinished: (destination, result: DestinationResult) =>
      print(result.status === 'succeeded' ? `✓ ${destination}: transfer succeeded` : `✗ ${destination}: ${result.error}`),
    retrying: (destination, attempt, delayMs, error) => print(`! ${destination}: ${error.message} — retry ${attempt} in ${formatDuration(delayMs)}`),
    warning: (destination, message) => print(`! ${destination}: ${message}`),
  };
}

export function modelLine(destination: string, outcome: ModelTransfer): string {
  if (outcome.error !== null) return `  ✗ ${destination} ${outcome.model}: ${outcome.error}`;
  const changes = outcome.schemaChanges.length > 0 ? `; ${outcome.schemaChanges.join('; ')}` : '';
  return (
    `  ✓ ${destination} ${outcome.model} (${outcome.action}): +${outcome.rowsInserted} ~${outcome.rowsUpdated} -${outcome.rowsDeleted} rows, ` +
    `${formatBytes(outcome.bytes)}, ${formatDuration(outcome.durationMs)}${changes}`
  );
}

/** One model's verification: equal, or what differed (keys only, never values) and whether it was repaired. */
export function verificationLine(destination: string, outcome: ModelVerificationOutcome): string {
  if (!('sourceRows' in outcome)) return `  ✗ ${destination} ${outcome.model}: verification failed: ${outcome.error}`;
  const notes = outcome.notes.length > 0 ? ` (${outcome.notes.join('; ')})` : '';
  const where = outcome.comparedIn === 'warehouses' ? 'inside both warehouses' : 'by Ferry';
  const compared = `${outcome.sourceRows} source and ${outcome.destinationRows} destination rows compared ${where} in ${formatDuration(outcome.durationMs)}`;
  if (outcome.result === 'equal') return `  ✓ ${destination} ${outcome.model}: verified equal, ${compared}${notes}`;
  const kinds = (['missing', 'extra', 'different'] as const)
    .filter((kind) => outcome[kind] > 0)
    .map(
      (kind) =>
        `${outcome[kind]} ${kind} (keys ${outcome.sampleKeys[kind].join(' ')}${outcome[kind] > outcome.sampleKeys[kind].length ? ' ...' : ''})`,
    );
  const fix =
    outcome.result === 'repaired'
      ? `; repaired: ${outcome.repaired.deleted} row(s) deleted, ${outcome.repaired.inserted} re-synced`
      : '; run `ferry verify --repair` to re-sync them';
  return `  ${outcome.result === 'repaired' ? '!' : '✗'} ${destination} ${outcome.model}: differed from the source: ${kinds.join(', ')}, ${compared}${fix}${notes}`;
}

function spinner(now: number): string {
  return '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'[Math.floor(now / 100) % 10] as string;
}
