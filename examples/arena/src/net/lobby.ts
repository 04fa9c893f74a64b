import type { JoinOptions, SignalingAdapter, SignalingRoom } from '@meshplay/signaling';
import type { WebSocketSignaling } from '@meshplay/signaling/websocket';

/**
 * The signaling adapter handed to `WebRtcTransport.join`: joins by lobby code when given one (the
 * transport only passes a room name) and keeps the room, whose join code the transport does not
 * expose. Browser-safe.
 */
export class Lobby implements SignalingAdapter {
  /** The room once joined. */
  room: SignalingRoom | undefined;

  constructor(
    readonly signaling: WebSocketSignaling,
    readonly code?: string,
  ) {}

  async join(name: string, options: JoinOptions = {}): Promise<SignalingRoom> {
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

  /** The lobby's join code. */
  get joinCode(): string | undefined {
    return this.room?.code;
  }
}
