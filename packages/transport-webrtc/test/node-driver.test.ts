// The Node driver on its own: what it hands to libdatachannel, and its promise that nothing
// fires after close().
import type { DataChannel } from 'node-datachannel';
import { describe, expect, it } from 'vitest';
import type { DriverChannelHandlers, DriverPeer, DriverPeerHandlers } from '../src/driver.js';
import { driver } from '../src/node-driver.js';
import { waitFor } from './helpers.js';

function counters() {
  const count = { messages: 0, opens: 0, closes: 0, states: 0 };
  const peer: DriverPeerHandlers = {
    localDescription: () => {},
    localCandidate: () => {},
    connectionState: () => void count.states++,
    gatheringState: () => void count.states++,
    signalingState: () => void count.states++,
    handlerError: (error) => {
      throw error;
    },
  };
  const channel: DriverChannelHandlers = {
    open: () => void count.opens++,
    message: () => void count.messages++,
    closed: () => void count.closes++,
    error: () => {},
    bufferedAmountLow: () => {},
  };
  return { count, peer, channel };
}

/** Two driver peers wired to each other directly (no transport, no signaling adapter). */
function pair() {
  const x = counters();
  const y = counters();
  let a: DriverPeer | undefined;
  let b: DriverPeer | undefined;
  const config = { iceServers: [], bindAddress: '127.0.0.1' };
  a = driver.createPeer(
    { ...config, label: 'a' },
    {
      ...x.peer,
      localDescription: (type, sdp) => void b?.setRemoteDescription(type, sdp),
      localCandidate: (candidate, mid) => void b?.addRemoteCandidate(candidate, mid),
    },
  );
  b = driver.createPeer(
    { ...config, label: 'b' },
    {
      ...y.peer,
      localDescription: (type, sdp) => void a?.setRemoteDescription(type, sdp),
      localCandidate: (candidate, mid) => void a?.addRemoteCandidate(candidate, mid),
    },
  );
  return { a, b, x, y };
}

describe('node driver', () => {
  it('creates negotiated channels with the id, label and protocol asked for', async () => {
    const { a, b, x, y } = pair();
    const init = { id: 7, label: 'chat', ordered: false, maxRetransmits: 0, protocol: 'chat-v1' };
    const ca = a.createChannel(init, x.channel) as unknown as { dc: DataChannel };
    b.createChannel(init, y.channel);
    await a.createOffer();
    await waitFor(() => x.count.opens === 1 && y.count.opens === 1, 5000, 'both ends to open');
    expect([ca.dc.getId(), ca.dc.getLabel(), ca.dc.getProtocol()]).toEqual([7, 'chat', 'chat-v1']);
    expect(a.maxMessageSize()).toBe(256 * 1024);
    await Promise.all([a.close(), b.close()]);
  });

  it('after close() resolves, no handler fires, whatever the other side still sends', async () => {
    const { a, b, x, y } = pair();
    const init = { id: 0, label: 'r', ordered: true };
    a.createChannel(init, x.channel);
    const cb = b.createChannel(init, y.channel);
    await a.createOffer();
    await waitFor(() => x.count.opens === 1 && y.count.opens === 1, 5000, 'both ends to open');
    for (let i = 0; i < 200; i++) cb.send(new Uint8Array(1000));
    await a.close();
    const frozen = { ...x.count };
    for (let i = 0; i < 200; i++) {
      try {
        cb.send(new Uint8Array(1000));
      } catch {
        break; // b notices the close
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(x.count).toEqual(frozen);
    expect(a.connectionState()).toBe('closed');
    await b.close();
  });

  it('throws on malformed SDP and candidates (the transport turns these into error events)', async () => {
    const { a, b } = pair();
    a.createChannel({ id: 0, label: 'r', ordered: true }, counters().channel);
    await expect(a.setRemoteDescription('offer', 'v=0\r\ngarbage')).rejects.toThrow();
    await expect(a.addRemoteCandidate('candidate:garbage', '0')).rejects.toThrow(/not an ICE candidate line/);
    await Promise.all([a.close(), b.close()]);
  });
});
