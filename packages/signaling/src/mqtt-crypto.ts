/**
 * Sealing MQTT signaling messages (WebCrypto, browser-safe): AES-256-GCM under a key derived
 * with PBKDF2 from the room password, salted with the app id and room name. Without a password
 * the key still depends on the room name, which the broker never sees (topics carry a hash).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const IV_BYTES = 12;

/** PBKDF2 rounds: slows password guessing by anyone who captured traffic. */
const ROUNDS = 100_000;

/** Derives the room key. */
export async function roomKey(appId: string, room: string, password: string | undefined): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(password ?? ''), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    {
      name: 'PBKDF2',
      hash: 'SHA-256',
      salt: encoder.encode(`meshplay:${appId}:${room}`),
      iterations: ROUNDS,
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The hex SHA-256 of `text`, cut to `chars` (room topics: the broker learns no room names). */
export async function digestHex(text: string, chars = 32): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex.slice(0, chars);
}

/** Encrypts a JSON value: a fresh 12-byte IV followed by the ciphertext. */
export async function seal(key: CryptoKey, value: unknown): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoder.encode(JSON.stringify(value))),
  );
  const out = new Uint8Array(IV_BYTES + sealed.length);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return out;
}

/** Decrypts what {@link seal} made; undefined when the key is wrong or the bytes were tampered with. */
export async function open(key: CryptoKey, bytes: Uint8Array<ArrayBuffer>): Promise<unknown> {
  if (bytes.length <= IV_BYTES) return undefined;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES) },
      key,
      bytes.subarray(IV_BYTES),
    );
    return JSON.parse(decoder.decode(plain));
  } catch {
    return undefined;
  }
}
