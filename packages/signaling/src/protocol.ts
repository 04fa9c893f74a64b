/**
 * The WebSocket signaling protocol (PROTOCOL.md): message shapes, refusal codes and the parsers
 * both ends use. JSON text frames, one message per frame, discriminated by `type`. Browser-safe.
 */
import type { SignalPayload, SignalPeerId } from './contract.js';

/** The protocol version a client states in `join` and `resume`. */
export const PROTOCOL_VERSION = 1;

/** Longest room name the server accepts (characters). */
export const MAX_ROOM_NAME = 64;

/** Alphabet of join codes: no 0/O, 1/I/L, so a code survives being read aloud. */
export const JOIN_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** Length of a join code. */
export const JOIN_CODE_LENGTH = 6;

/** A client's request to enter a lobby (by name, or by join code). */
export interface JoinMessage {
  type: 'join';
  v: number;
  rid?: number;
  room?: string;
  code?: string;
  create?: boolean;
  password?: string;
  maxPeers?: number;
  public?: boolean;
  token?: string;
}

/** Every message a client may send. */
export type ClientMessage =
  | JoinMessage
  | { type: 'resume'; v: number; rid?: number; resume: string; token?: string }
  | { type: 'list'; rid?: number }
  | { type: 'signal'; to: SignalPeerId; payload: SignalPayload }
  | { type: 'seal'; rid?: number }
  | { type: 'leave' }
  | { type: 'ping' };

/** A public lobby as `list` reports it. */
export interface LobbyInfo {
  room: string;
  code: string;
  peers: number;
  maxPeers: number;
  /** Whether joining needs a password. */
  password: boolean;
  sealed: boolean;
}

/** The server's answer to a successful `join` or `resume`. */
export interface JoinedMessage {
  type: 'joined';
  rid?: number;
  v: number;
  room: string;
  code: string;
  public: boolean;
  maxPeers: number;
  self: SignalPeerId;
  host: SignalPeerId;
  /** The other peers, oldest first. */
  peers: SignalPeerId[];
  sealed: boolean;
  /** True for a `resume`; the peer kept its id and never left the room. */
  resumed: boolean;
  /** The lobby is being rebuilt after a server restart: `peers` may still grow; a `peers` sync follows. */
  restoring: boolean;
  /** Opaque token for `resume`. */
  resume: string;
  /** How often the client should `ping`. */
  pingMs: number;
}

/** Every message the server may send. */
export type ServerMessage =
  | JoinedMessage
  | { type: 'peer-joined'; peer: SignalPeerId }
  | { type: 'peer-left'; peer: SignalPeerId }
  | { type: 'host'; host: SignalPeerId; resume: string }
  | { type: 'sealed'; resume: string }
  | { type: 'peers'; peers: SignalPeerId[]; host: SignalPeerId }
  | { type: 'signal'; from: SignalPeerId; payload: SignalPayload }
  | { type: 'lobbies'; rid?: number; lobbies: LobbyInfo[] }
  | { type: 'ok'; rid?: number }
  | { type: 'error'; rid?: number; code: string; reason: string }
  | { type: 'pong' };

/**
 * Refusal codes the server answers with (an `error` message; the connection stays open). Join
 * refusals end the client's `join()` with a SignalingError of that code.
 */
export const ANSWER_CODES = [
  'E_BAD_JSON',
  'E_BAD_MESSAGE',
  'E_UNKNOWN_TYPE',
  'E_SPOOFED_FROM',
  'E_NOT_JOINED',
  'E_ALREADY_JOINED',
  'E_UNKNOWN_PEER',
  'E_NOT_HOST',
  'E_NO_ROOM',
  'E_SEALED',
  'E_ROOM_FULL',
  'E_BAD_PASSWORD',
  'E_UNAVAILABLE',
] as const;

/**
 * WebSocket close codes the server uses, by refusal code. 1000 ends a `leave`; 1001 and 1011 ask
 * the client to reconnect and resume; 1007 (text that is not UTF-8) and 1009 (oversized frame)
 * come from the WebSocket layer, with no reason text.
 */
export const CLOSE_CODES = {
  E_LEFT: 1000,
  E_SHUTDOWN: 1001,
  E_BAD_FRAME: 1007,
  E_FRAME_TOO_LARGE: 1009,
  E_INTERNAL: 1011,
  E_UNAUTHORIZED: 4001,
  E_JOIN_TIMEOUT: 4002,
  E_VERSION: 4003,
  E_RESUME_REFUSED: 4004,
  E_RATE_LIMITED: 4008,
  E_EVICTED: 4010,
  E_REPLACED: 4011,
  E_SLOW_CONSUMER: 4012,
  E_SERVER_FULL: 4013,
} as const;

/** A refusal code that closes the connection. */
export type CloseCodeName = keyof typeof CLOSE_CODES;

const NAME_BY_CLOSE = new Map<number, string>(
  Object.entries(CLOSE_CODES).map(([name, code]) => [code, name]),
);

/** Close codes after which a client reconnects and resumes instead of giving up. */
export function isRetryableClose(code: number): boolean {
  return code === 1001 || code === 1005 || code === 1006 || code === 1011 || code === 1012 || code === 1013;
}

/** The `E_…` name of a close, from the reason's prefix (`"E_CODE: text"`) or else the numeric code. */
export function closeCodeName(code: number, reason: string): string {
  const match = /^(E_[A-Z_]+)/.exec(reason);
  return match?.[1] ?? NAME_BY_CLOSE.get(code) ?? `E_CLOSED_${code}`;
}

/** The close reason for a refusal: `"E_CODE: text"`, cut to the 123 bytes a close frame allows. */
export function closeReason(code: string, text: string): string {
  let reason = `${code}: ${text}`;
  while (new TextEncoder().encode(reason).length > 123) reason = reason.slice(0, -1);
  return reason;
}

/** Why a frame could not be read as a message: an error code and a reason for the sender. */
export interface ProtocolFault {
  fault: string;
  reason: string;
  rid?: number;
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optional = (fields: Fields, key: string, kind: 'string' | 'boolean' | 'number'): boolean =>
  fields[key] === undefined || typeof fields[key] === kind;

/** True for a usable room name: 1..64 characters, no control characters. */
export function isRoomName(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ROOM_NAME) return false;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || unit === 0x7f) return false;
  }
  return true;
}

/** Normalises a join code (case-insensitive) or returns undefined when it cannot be one. */
export function normaliseJoinCode(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length !== JOIN_CODE_LENGTH) return undefined;
  const code = value.toUpperCase();
  for (const char of code) if (!JOIN_CODE_ALPHABET.includes(char)) return undefined;
  return code;
}

const fault = (code: string, reason: string, rid?: number): ProtocolFault =>
  rid === undefined ? { fault: code, reason } : { fault: code, reason, rid };

/** Reads one client frame. Never throws: a bad frame yields a {@link ProtocolFault} for its sender. */
export function parseClientMessage(text: string): ClientMessage | ProtocolFault {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fault('E_BAD_JSON', 'frame is not valid JSON');
  }
  if (!isObject(value)) return fault('E_BAD_MESSAGE', 'a message is a JSON object');
  const rid = Number.isSafeInteger(value.rid) ? (value.rid as number) : undefined;
  if (value.rid !== undefined && rid === undefined) return fault('E_BAD_MESSAGE', 'rid must be an integer');
  const bad = (reason: string) => fault('E_BAD_MESSAGE', reason, rid);
  switch (value.type) {
    case 'join': {
      if (typeof value.v !== 'number') return bad('join needs a protocol version v');
      const byRoom = value.room !== undefined;
      const byCode = value.code !== undefined;
      if (byRoom === byCode) return bad('join needs exactly one of room or code');
      if (byRoom && !isRoomName(value.room))
        return bad(`room must be 1..${MAX_ROOM_NAME} printable characters`);
      if (byCode && typeof value.code !== 'string') return bad('code must be a string');
      if (byCode && value.create === true) return bad('a join by code cannot create a lobby');
      if (!optional(value, 'create', 'boolean') || !optional(value, 'public', 'boolean')) {
        return bad('create and public must be booleans');
      }
      if (!optional(value, 'password', 'string') || !optional(value, 'token', 'string')) {
        return bad('password and token must be strings');
      }
      if (
        value.maxPeers !== undefined &&
        !(Number.isSafeInteger(value.maxPeers) && (value.maxPeers as number) >= 1)
      ) {
        return bad('maxPeers must be a positive integer');
      }
      return value as unknown as JoinMessage;
    }
    case 'resume':
      if (typeof value.v !== 'number') return bad('resume needs a protocol version v');
      if (typeof value.resume !== 'string') return bad('resume needs the resume token');
      if (!optional(value, 'token', 'string')) return bad('token must be a string');
      return value as unknown as ClientMessage;
    case 'signal':
      if ('from' in value)
        return fault('E_SPOOFED_FROM', 'the server stamps from; a client may not set it', rid);
      if (typeof value.to !== 'string') return bad('signal needs a peer id in to');
      if (value.payload === undefined) return bad('signal needs a payload');
      return value as unknown as ClientMessage;
    case 'list':
    case 'seal':
    case 'leave':
    case 'ping':
      return value as unknown as ClientMessage;
    default:
      return fault('E_UNKNOWN_TYPE', `unknown message type ${JSON.stringify(value.type)?.slice(0, 40)}`, rid);
  }
}

const isIdList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((id) => typeof id === 'string');

/** Reads one server frame on the client; undefined for anything malformed (the client reports it). */
export function parseServerMessage(text: string): ServerMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'joined':
      return typeof value.self === 'string' &&
        typeof value.host === 'string' &&
        typeof value.room === 'string' &&
        typeof value.resume === 'string' &&
        isIdList(value.peers)
        ? (value as unknown as ServerMessage)
        : undefined;
    case 'peer-joined':
    case 'peer-left':
      return typeof value.peer === 'string' ? (value as unknown as ServerMessage) : undefined;
    case 'host':
      return typeof value.host === 'string' ? (value as unknown as ServerMessage) : undefined;
    case 'peers':
      return isIdList(value.peers) && typeof value.host === 'string'
        ? (value as unknown as ServerMessage)
        : undefined;
    case 'signal':
      return typeof value.from === 'string' ? (value as unknown as ServerMessage) : undefined;
    case 'lobbies':
      return Array.isArray(value.lobbies) ? (value as unknown as ServerMessage) : undefined;
    case 'error':
      return typeof value.code === 'string' ? (value as unknown as ServerMessage) : undefined;
    case 'sealed':
    case 'ok':
    case 'pong':
      return value as unknown as ServerMessage;
    default:
      return undefined;
  }
}

/** True when `value` is a {@link ProtocolFault} rather than a message. */
export function isFault(value: ClientMessage | ProtocolFault): value is ProtocolFault {
  return 'fault' in value;
}
