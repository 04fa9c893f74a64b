import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadPacketError } from '../../src/index.js';
import { parseDatagram } from '../../src/wire/frames.js';
import { msgpackEnd } from '../../src/wire/msgpack.js';
import { setup } from '../fixtures.js';
import { rawRpc } from '../wire-helpers.js';

/** Real datagrams a session sends, to mutate. */
const SEEDS: Uint8Array[] = [
  rawRpc({ node: 1, method: 0, args: [1, 2] }),
  rawRpc({ node: 1, method: 2, args: ['name'], requestId: 7, target: 2, index: 3 }),
  rawRpc({ node: 300, method: 1, args: [{ a: [1, 2, { b: 'x' }] }], target: 1, from: 4 }),
  new Uint8Array([0x00, 0x07, 0x82, 0xa1, 0x76, 0x01, 0xa1, 0x63, 0xc0]), // Hello {v:1, c:null}
  new Uint8Array([0x04, 0x81, 0x01]), // Ping
  new Uint8Array([0x13, 0x02, 0x00]), // Peer left
];

const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.nat(16),
  )
  .map(([seed, flips, cut]) => {
    const bytes = seed.slice(0, Math.max(1, seed.length - (cut % 4 === 0 ? cut % seed.length : 0)));
    for (const [at, value] of flips) bytes[at % bytes.length] = value;
    return bytes;
  });

const anyPacket = fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 64 }), mutated);

describe('packet decoder fuzz (fast-check)', () => {
  it('parseDatagram returns frames or throws BadPacketError, nothing else', () => {
    fc.assert(
      fc.property(anyPacket, (bytes) => {
        try {
          const frames = parseDatagram(bytes);
          for (const frame of frames) {
            expect(frame.start).toBeLessThanOrEqual(frame.end);
            expect(frame.end).toBeLessThanOrEqual(bytes.length);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(BadPacketError);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('msgpackEnd never reads past the buffer and refuses impossible containers at once', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
        try {
          expect(msgpackEnd(bytes, 0)).toBeLessThanOrEqual(bytes.length);
        } catch (error) {
          expect(error).toBeInstanceOf(BadPacketError);
        }
      }),
      { numRuns: 20_000 },
    );
    // An array32 announcing four billion items in 5 bytes.
    expect(() => msgpackEnd(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff]), 0)).toThrow(BadPacketError);
  });

  it('a live session survives random and mutated packets: no throw escapes, offenders are kicked, others keep playing', async () => {
    const { net, sessions, games } = await setup(3, { joinTimeoutMs: 100_000 });
    const [host, , honest] = sessions;
    const badFrom = new Set<string>();
    let kicked = 0;
    host!.events.on('error', ({ error, peer }) => {
      if (error.code === 'E_BAD_PACKET' && peer) badFrom.add(peer);
    });
    await fc.assert(
      fc.asyncProperty(
        anyPacket.filter((p) => p.length > 0),
        async (bytes) => {
          // A fresh attacker each time: a raw transport that joins like a client, then sends garbage.
          const attacker = net.createTransport();
          net.connect(host!.id, attacker.localId);
          await net.run(15);
          attacker.send(host!.id, 0, new Uint8Array([0x00, 0x07, 0x82, 0xa1, 0x76, 0x01, 0xa1, 0x63, 0xc0]));
          await net.run(15);
          attacker.send(host!.id, bytes[0]! % 3, bytes);
          await net.run(300); // run() rejects if any handler threw
          if (badFrom.has(attacker.localId)) {
            // Refused as malformed: the attacker must have been dropped.
            expect(attacker.peers()).toEqual([]);
            kicked++;
          }
          await attacker.close();
          await net.run(15);
        },
      ),
      { numRuns: 150 },
    );
    expect(kicked).toBeGreaterThan(50);
    honest!.rpc(games[2]!).move(1, 1);
    await net.run(100);
    expect(games[0]!.of('move').filter((c) => c.from === honest!.id)).toHaveLength(1);
    expect(host!.connected && honest!.connected).toBe(true);
  });
});
