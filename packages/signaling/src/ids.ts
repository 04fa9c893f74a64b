/** Characters of a nanoid (URL-safe base64), 64 of them so one random byte picks one. */
const ID_ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';

/**
 * A nanoid-shaped peer id (21 URL-safe characters) from WebCrypto randomness, for adapters with
 * no server to assign one. Kept here so the browser-safe entries need no dependency.
 */
export function randomPeerId(): string {
  const bytes = new Uint8Array(21);
  crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += ID_ALPHABET[byte & 63];
  return id;
}
