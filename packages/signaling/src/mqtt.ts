/**
 * `@meshplay/signaling/mqtt`: serverless signaling through any MQTT broker, in the manner of
 * Trystero's strategies. Peers make their own ids, meet on a per-room topic (named by a hash, so
 * the broker never learns room names), swap payloads through per-peer inbox topics, and encrypt
 * everything with a key derived from the room name and optional password (WebCrypto). Browser
 * builds need a `ws://` or `wss://` broker URL.
 */
import { connectAsync, type IClientOptions } from 'mqtt';
import { type JoinOptions, type SignalingAdapter, SignalingError } from './contract.js';
import { randomPeerId } from './ids.js';
import { digestHex, roomKey, seal } from './mqtt-crypto.js';
import { MqttRoom, type MqttTopics, type MqttWire, toBase64 } from './mqtt-room.js';

export { MqttRoom } from './mqtt-room.js';

/** Options of {@link MqttSignaling}. */
export interface MqttSignalingOptions {
  /** The broker: `mqtt://host:1883`, `ws://…`, `wss://…`. */
  url: string;
  /** Namespace of topics and keys, so apps sharing a broker never meet. Default `meshplay`. */
  appId?: string;
  /** Extra mqtt.js client options (credentials, TLS, …). */
  client?: IClientOptions;
  /** How often a peer re-announces itself (ms). Default 3000. */
  announceMs?: number;
  /** A peer not heard from this long is gone (ms). Default 3 × announceMs + 1000. */
  peerTimeoutMs?: number;
  /** How long `join` listens for the room's peers before resolving (ms). Default 1000. */
  discoveryMs?: number;
}

/**
 * A {@link SignalingAdapter} over MQTT. No server enforces anything: ids are self-made, the host
 * is agreed by rule (the earliest joiner), and a seal is honoured by the members, so this suits
 * rooms whose members trust each other (a room password keeps everyone else out). `maxPeers`
 * and `public` are not supported.
 */
export class MqttSignaling implements SignalingAdapter {
  readonly #options: Required<Omit<MqttSignalingOptions, 'client'>> & { client: IClientOptions };

  constructor(options: MqttSignalingOptions) {
    const announceMs = options.announceMs ?? 3000;
    this.#options = {
      url: options.url,
      appId: options.appId ?? 'meshplay',
      client: options.client ?? {},
      announceMs,
      peerTimeoutMs: options.peerTimeoutMs ?? announceMs * 3 + 1000,
      discoveryMs: options.discoveryMs ?? 1000,
    };
  }

  async join(room: string, options: JoinOptions = {}): Promise<MqttRoom> {
    const { appId, url, discoveryMs } = this.#options;
    const selfId = randomPeerId();
    const [key, hash] = await Promise.all([
      roomKey(appId, room, options.password),
      digestHex(`meshplay:${appId}:${room}`),
    ]);
    const base = `${appId}/${hash}`;
    const topics: MqttTopics = { announce: `${base}/a`, inbox: (peer) => `${base}/p/${peer}` };
    const bye: MqttWire = { k: 'bye', id: selfId };
    let client: Awaited<ReturnType<typeof connectAsync>>;
    try {
      client = await connectAsync(
        url,
        {
          clientId: `mp_${selfId}`,
          clean: true,
          connectTimeout: 5000,
          reconnectPeriod: 1000,
          ...this.#options.client,
          // If this connection dies, the broker says goodbye for us.
          will: { topic: topics.announce, payload: toBase64(await seal(key, bye)), qos: 1, retain: false },
        },
        false,
      );
    } catch (error) {
      throw new SignalingError(
        'E_UNREACHABLE',
        `cannot reach the MQTT broker ${url}: ${(error as Error).message}`,
      );
    }
    const mqttRoom = new MqttRoom(room, selfId, client, key, topics, this.#options);
    try {
      await client.subscribeAsync([topics.announce, topics.inbox(selfId)], { qos: 1 });
      await mqttRoom.start();
      await new Promise((resolve) => setTimeout(resolve, discoveryMs));
      const { unreadable, sealedSeen } = mqttRoom.discovery;
      if (sealedSeen) throw new SignalingError('E_SEALED', `room '${room}' is sealed`);
      if (mqttRoom.peers().length === 0 && unreadable > 0) {
        throw new SignalingError('E_BAD_PASSWORD', `room '${room}' is in use with another password`);
      }
      if (mqttRoom.peers().length === 0 && options.create === false) {
        throw new SignalingError('E_NO_ROOM', `nobody is in room '${room}'`);
      }
    } catch (error) {
      await mqttRoom.leave();
      throw error;
    }
    mqttRoom.goLive();
    return mqttRoom;
  }
}
