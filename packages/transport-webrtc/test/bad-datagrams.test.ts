// A peer that speaks the signaling protocol but sends datagrams that break the framing: the
// transport reports it, drops that link telling the peer why, and carries on with others.
import type { SignalingRoom } from '@meshplay/signaling';
import { afterAll, describe, expect, it } from 'vitest';
import type { DriverChannel, DriverPeer } from '../src/driver.js';
import { driver } from '../src/node-driver.js';
import { Pool, waitFor } from './helpers.js';

const pool = new Pool();
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanup.map((f) => f()));
  await pool.closeAll();
});

/** A hand-driven peer: the node driver, our signaling messages, and whatever bytes a test likes. */
async function rogue(roomName: string, target: string) {
  const room: SignalingRoom = await pool.hub.adapter().join(roomName);
  const received: Uint8Array[] = [];
  let opened = 0;
  const offers = room.selfId < target;
  const send = (payload: unknown) => room.send(target, payload);
  const pc: DriverPeer = driver.createPeer(
    { iceServers: [], bindAddress: '127.0.0.1', label: 'rogue' },
    {
      localDescription: (type, sdp) => send({ t: 'sdp', n: 1, type, sdp }),
      localCandidate: (candidate, mid) => send({ t: 'ice', n: 1, candidate, mid }),
      connectionState: () => {},
      gatheringState: () => {},
      signalingState: () => {},
      handlerError: (error) => {
        throw error;
      },
    },
  );
  const channels: DriverChannel[] = [0, 1, 2].map((id) =>
    pc.createChannel(
      { id, label: `c${id}`, ordered: id < 2, ...(id > 0 ? { maxRetransmits: 0 } : {}) },
      {
        open: () => void opened++,
        message: (data) => received.push(data.slice()),
        closed: () => {},
        error: () => {},
        bufferedAmountLow: () => {},
      },
    ),
  );
  // Only the target is answered: other members of the room try to link too, and are left waiting.
  room.events.on('signal', ({ from, payload }) => {
    if (from !== target) return;
    const message = payload as {
      t: string;
      type?: 'offer' | 'answer';
      sdp?: string;
      candidate?: string;
      mid?: string;
    };
    if (message.t === 'sdp') void pc.setRemoteDescription(message.type!, message.sdp!);
    if (message.t === 'ice') void pc.addRemoteCandidate(message.candidate!, message.mid!);
  });
  if (offers) await pc.createOffer();
  cleanup.push(async () => {
    await pc.close();
    await room.leave();
  });
  return { id: room.selfId, channels, received, open: () => opened === 3 };
}

describe('datagrams that break the framing', () => {
  for (const [name, bytes] of [
    ['an unknown frame kind', [9, 1, 2, 3]],
    [
      'a fragment claiming more than maxMessageBytes',
      [1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0, 0, 2, 0, 42],
    ],
    ['a truncated ping', [2, 1, 2]],
    ['an empty datagram', []],
  ] as const) {
    it(`${name}: an error event, the link dropped, the peer told why, other links unaffected`, async () => {
      const room = `bad-${name.replaceAll(' ', '-')}`;
      const [a, b] = await pool.group(room, 2);
      const errors: { peer: string | undefined; code: string }[] = [];
      const gone: string[] = [];
      a!.events.on('error', ({ peer, error }) =>
        errors.push({ peer, code: (error as { code?: string }).code ?? '' }),
      );
      a!.events.on('peer-disconnected', ({ peer, reason }) => gone.push(`${peer}:${reason}`));
      const evil = await rogue(room, a!.localId);
      await a!.waitForPeer(evil.id);
      await waitFor(evil.open, 5000, 'the rogue channels');
      evil.channels[0]!.send(new Uint8Array(bytes));
      await waitFor(() => gone.length === 1, 5000, 'the link to be dropped');
      expect(errors).toEqual([{ peer: evil.id, code: 'E_BAD_PACKET' }]);
      expect(gone).toEqual([`${evil.id}:E_BAD_PACKET`]);
      // The rogue got a Bye (kind 4) whose reason names the code.
      await waitFor(() => evil.received.some((d) => d[0] === 4), 5000, 'the Bye');
      const bye = evil.received.find((d) => d[0] === 4)!;
      expect(new TextDecoder().decode(bye.subarray(2 + bye[1]! * 6))).toBe('E_BAD_PACKET');
      expect(a!.peers()).toEqual([b!.localId]);
    });
  }
});
