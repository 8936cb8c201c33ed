/** Lower-case hex, the form every digest and proof of the farm protocol uses. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
