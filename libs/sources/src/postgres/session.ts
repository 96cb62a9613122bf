/**
 * Session settings under which Postgres writes every exported type in its canonical text:
 * - TimeZone UTC: timestamptz as `2024-01-02 03:04:05.123456+00`;
 * - DateStyle ISO: dates and timestamps as `YYYY-MM-DD HH:MM:SS`, whatever the server default;
 * - extra_float_digits 3: floats in the shortest text that reads back as the same value on
 *   Postgres 12 and later (any value above 0 does), and with all 17 digits on older servers,
 *   which still reads back exactly;
 * - client_encoding UTF8: text reaches Ferry as UTF-8 whatever the database encoding.
 * @see https://www.postgresql.org/docs/current/runtime-config-client.html
 */
export const CANONICAL_TEXT_SESSION = [
  `SET TimeZone = 'UTC'`,
  `SET DateStyle = 'ISO, YMD'`,
  'SET extra_float_digits = 3',
  `SET client_encoding = 'UTF8'`,
].join('; ');
