import { randomBytes } from 'node:crypto';

let lastMillis = 0;
let sequence = 0;

/**
 * A new transfer id: a UUIDv7 (RFC 9562), so ids sort by creation time as text, and strictly
 * increase within this process (a 12-bit counter orders ids created in the same millisecond).
 */
export function newTransferId(): string {
  let millis = Date.now();
  if (millis > lastMillis) {
    sequence = 0;
  } else {
    // Same millisecond, or the clock stepped back: keep counting from the last id.
    millis = lastMillis;
    sequence += 1;
    if (sequence > 0xfff) {
      millis += 1;
      sequence = 0;
    }
  }
  lastMillis = millis;
  const bytes = randomBytes(16);
  bytes.writeUIntBE(millis, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
