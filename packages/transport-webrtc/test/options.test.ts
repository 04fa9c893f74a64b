import { ConfigError } from '@meshplay/core';
import { MemorySignalingHub } from '@meshplay/signaling';
import { describe, expect, it } from 'vitest';
import { WebRtcTransport } from '../src/index.js';

const join = (options: Record<string, unknown>) =>
  WebRtcTransport.join(new MemorySignalingHub().adapter(), 'options', {
    topology: 'mesh',
    ...options,
  } as never);

describe('options are refused at join, not when they bite', () => {
  it('refuses a channel with both maxRetransmits and maxPacketLifeTime, naming the channel', async () => {
    const error = await join({
      channels: [{ ordered: true }, { ordered: false, maxRetransmits: 2, maxPacketLifeTime: 100 }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('E_INVALID_CONFIG');
    expect((error as Error).message).toMatch(
      /channel 4: maxRetransmits and maxPacketLifeTime are mutually exclusive/,
    );
  });

  it('refuses channels without `ordered`, bad counts and bad protocols', async () => {
    await expect(join({ channels: [{}] })).rejects.toThrow(/'ordered' \(boolean\) is required/);
    await expect(join({ channels: [{ ordered: true, maxRetransmits: -1 }] })).rejects.toThrow(
      /maxRetransmits must be an integer/,
    );
    await expect(join({ channels: [{ ordered: true, maxPacketLifeTime: 1.5 }] })).rejects.toThrow(
      /maxPacketLifeTime/,
    );
    await expect(join({ channels: [{ ordered: true, protocol: 7 }] })).rejects.toThrow(
      /protocol must be a string/,
    );
  });

  it('refuses an unknown topology, bad timings and bad ICE servers', async () => {
    await expect(join({ topology: 'ring' })).rejects.toThrow(/topology must be 'star' or 'mesh'/);
    await expect(join({ heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 1500 })).rejects.toThrow(
      /at least twice/,
    );
    await expect(join({ connectTimeoutMs: 0 })).rejects.toThrow(/connectTimeoutMs must be a positive number/);
    await expect(join({ iceServers: [{ urls: 'turn:relay.example.org' }] })).rejects.toThrow(ConfigError);
  });

  it('lays out the built-in channels then the user channels, labelled', async () => {
    const transport = await join({
      channels: [{ ordered: false, maxPacketLifeTime: 50, protocol: 'state' }],
    });
    expect(transport.channels.map((c) => c.label)).toEqual([
      'reliable',
      'unreliable-ordered',
      'unreliable',
      'user-3',
    ]);
    expect(transport.channels[3]).toMatchObject({ ordered: false, maxPacketLifeTime: 50, protocol: 'state' });
    await transport.close();
  });
});
