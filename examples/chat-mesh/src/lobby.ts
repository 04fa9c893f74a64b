import type { JoinOptions, SignalingAdapter } from '@meshplay/signaling';
import type { WebSocketRoom, WebSocketSignaling } from '@meshplay/signaling/websocket';

/**
 * The signaling adapter handed to `WebRtcTransport.join`. It does two things the transport's
 * API does not: it joins by join code when given one (the transport only passes a room name to
 * `join`), and it keeps the joined room, whose code and `seal()` the transport does not expose.
 */
export class Lobby implements SignalingAdapter {
  /** The room once joined. */
  room: WebSocketRoom | undefined;

  /** `code`: join that lobby by its code, ignoring the room name; otherwise join (or create) by name. */
  constructor(
    readonly signaling: WebSocketSignaling,
    readonly code?: string,
  ) {}

  async join(name: string, options: JoinOptions = {}): Promise<WebSocketRoom> {
    const { password, token } = options;
    this.room =
      this.code === undefined
        ? await this.signaling.join(name, options)
        : await this.signaling.joinByCode(this.code, {
            ...(password === undefined ? {} : { password }),
            ...(token === undefined ? {} : { token }),
          });
    return this.room;
  }
}
