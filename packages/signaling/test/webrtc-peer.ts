/**
 * A bare node-datachannel peer driven by a signaling room — just enough to prove two real
 * WebRTC peers can find each other through the signaling servers. Every callback is guarded: an
 * exception inside one aborts the process (DESIGN.md).
 */
import { type DataChannel, type DescriptionType, PeerConnection } from 'node-datachannel';
import type { SignalingRoom } from '../src/index.js';

type Signal = { sdp: string; type: DescriptionType } | { candidate: string; mid: string };

/** One side of a WebRTC link, with its data channel once open. */
export interface WebRtcPeer {
  /** Resolves with the open data channel. */
  readonly channel: Promise<DataChannel>;
  /** Messages received on the channel. */
  readonly messages: string[];
  /** Every connection state seen. */
  readonly states: string[];
  close(): void;
}

const guard = (run: () => void) => {
  try {
    run();
  } catch {
    // Swallowed on purpose: see the file comment.
  }
};

/** Starts a peer towards `remote` through `room`; the offerer creates the channel. */
export function webRtcPeer(room: SignalingRoom, remote: string, offerer: boolean): WebRtcPeer {
  const pc = new PeerConnection(room.selfId, { iceServers: [], bindAddress: '127.0.0.1' });
  const messages: string[] = [];
  const states: string[] = [];
  const channels: DataChannel[] = [];
  let opened: (channel: DataChannel) => void = () => {};
  const channel = new Promise<DataChannel>((resolve) => {
    opened = resolve;
  });
  const adopt = (dc: DataChannel) => {
    channels.push(dc);
    dc.onClosed(() => {});
    dc.onMessage((message) => guard(() => messages.push(String(message))));
    dc.onOpen(() => guard(() => opened(dc)));
    if (dc.isOpen()) opened(dc);
  };
  pc.onStateChange((state) => guard(() => states.push(state)));
  pc.onLocalDescription((sdp, type) => guard(() => room.send(remote, { sdp, type } satisfies Signal)));
  pc.onLocalCandidate((candidate, mid) =>
    guard(() => room.send(remote, { candidate, mid } satisfies Signal)),
  );
  pc.onDataChannel((dc) => guard(() => adopt(dc)));
  room.events.on('signal', ({ from, payload }) => {
    if (from !== remote) return;
    const signal = payload as Signal;
    guard(() => {
      if ('sdp' in signal) pc.setRemoteDescription(signal.sdp, signal.type);
      else pc.addRemoteCandidate(signal.candidate, signal.mid);
    });
  });
  if (offerer) adopt(pc.createDataChannel('meshplay-test'));
  return {
    channel,
    messages,
    states,
    close: () => {
      for (const dc of channels) guard(() => dc.close());
      guard(() => pc.close());
    },
  };
}
