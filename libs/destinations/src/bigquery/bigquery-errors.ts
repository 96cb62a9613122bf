import type { DestinationErrorKind } from '../destination-error.ts';

/** Where a BigQuery destination writes, for error messages. */
export interface BigQueryTarget {
  readonly projectId: string;
  readonly dataset: string;
  readonly location: string;
  /** The key file's path when there is one (a path, never its contents). */
  readonly keyFilename: string | undefined;
}

/** What a failure was and what to do about it, before the destination's id is put in front. */
export interface BigQueryFailure {
  readonly kind: DestinationErrorKind;
  readonly what: string;
}

/** Errors Node raises when a TCP connection cannot be made or is lost. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** One entry of a BigQuery error response: `reason` is BigQuery's error code. */
interface ErrorProto {
  readonly reason?: string;
  readonly message?: string;
  readonly location?: string;
}

/**
 * Explains a BigQuery (or Google auth) error in the destination's terms. BigQuery's `reason`
 * decides the kind (accessDenied, notFound, invalid, invalidQuery, ...), with the HTTP status as
 * a fallback for errors that carry none.
 * @param doing what Ferry was doing, e.g. `running \`MERGE INTO ...\`` or `loading rows into ...`
 * @see https://cloud.google.com/bigquery/docs/error-messages
 */
export function describeBigQueryError(error: unknown, target: BigQueryTarget, doing: string): BigQueryFailure {
  const reason = scrubSecrets(reasonOf(error));
  const code = (error as { code?: unknown }).code;
  const status = typeof code === 'number' ? code : Number((error as { response?: { status?: unknown } }).response?.status ?? NaN);
  const errors: ErrorProto[] = (error as { errors?: ErrorProto[] }).errors ?? [];
  const reasons = new Set(errors.map((e) => e.reason ?? ''));
  const dataset = `${target.projectId}.${target.dataset}`;
  const credentials = target.keyFilename ? `the service-account key file ${target.keyFilename}` : 'Application Default Credentials';

  if ((typeof code === 'string' && NETWORK_CODES.has(code)) || /socket hang up|network|ECONNREFUSED|ETIMEDOUT/i.test(reason)) {
    return {
      kind: 'connection',
      what: `${doing} failed: cannot reach BigQuery (${reason}). Check that Ferry's host can reach the BigQuery API (proxy, firewall, apiEndpoint)`,
    };
  }
  if (isCredentialError(error, reason, status)) {
    return {
      kind: 'authentication',
      what:
        `${doing} failed: BigQuery did not accept ${credentials} (${reason}). Check that the key file exists, is a service-account ` +
        `JSON key that has not been deleted or rotated, or without keyFilename that Application Default Credentials are set up (GOOGLE_APPLICATION_CREDENTIALS)`,
    };
  }
  if (reasons.has('notFound') || status === 404) {
    if (/project/i.test(reason) && !/dataset|table/i.test(reason)) {
      return {
        kind: 'missing-database',
        what: `${doing} failed: project ${target.projectId} was not found (${reason}). Check projectId in the destination's config`,
      };
    }
    if (/dataset/i.test(reason) || !/table/i.test(reason)) {
      return {
        kind: 'missing-schema',
        what:
          `${doing} failed: dataset ${dataset} was not found in location ${target.location} (${reason}). Ferry creates it on the first sync; ` +
          `if it was dropped since, sync again, or create it in ${target.location} and grant Ferry's service account roles/bigquery.dataEditor on it`,
      };
    }
    return { kind: 'statement', what: `${doing} failed: ${reason}` };
  }
  if (reasons.has('accessDenied') || (status === 403 && !reasons.has('rateLimitExceeded') && !reasons.has('quotaExceeded'))) {
    return {
      kind: 'permission',
      what:
        `${doing} failed: ${reason}. Grant Ferry's service account roles/bigquery.jobUser on project ${target.projectId} (to run jobs) and ` +
        `roles/bigquery.dataEditor on dataset ${dataset} (see \`ferry destinations setup-sql\`)`,
    };
  }
  const invalid = reasons.has('invalid') || reasons.has('invalidQuery');
  const kind: DestinationErrorKind = doing.startsWith('loading') && invalid ? 'load' : 'statement';
  const details =
    errors.length > 1
      ? errors
          .slice(1)
          .map((e) => scrubSecrets(e.message ?? ''))
          .filter(Boolean)
      : [];
  const reasonCode = [...reasons].filter(Boolean).join(', ');
  return { kind, what: `${doing} failed: ${[reason, ...details].join('; ')}${reasonCode ? ` [${reasonCode}]` : ''}` };
}

/** 401s, OAuth refusals (invalid_grant, a deleted key) and credentials that cannot be read or found. */
function isCredentialError(error: unknown, reason: string, status: number): boolean {
  if (status === 401) return true;
  const data = (error as { response?: { data?: { error?: unknown } } }).response?.data?.error;
  if (data === 'invalid_grant' || data === 'invalid_client' || data === 'unauthorized_client') return true;
  return /invalid_grant|invalid_client|Could not load the default credentials|Invalid JWT|private_key|client_email|Request had invalid authentication credentials/i.test(
    reason,
  );
}

/** Text that must never reach a message: a PEM private key or an OAuth access token. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '***')
    .replace(/ya29\.[\w.-]+/g, '***')
    .replace(/(Bearer\s+)[\w.-]+/gi, '$1***');
}

/** The error's message, or the first of BigQuery's error entries when the message is empty. */
function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(reasonOf).join('; ');
  const entries = (error as { errors?: ErrorProto[] }).errors;
  const message = error instanceof Error ? error.message : String(error);
  return (message || entries?.[0]?.message || String((error as { code?: unknown }).code ?? 'unknown error')).split('\n')[0]!.trim();
}
