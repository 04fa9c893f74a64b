import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { rpc, type Session } from '../../src/index.js';
import { setup } from '../fixtures.js';
import { rawRpc } from '../wire-helpers.js';

class Scores {
  readonly got: unknown[] = [];
  @rpc({ mode: 'any', args: v.tuple([v.number(), v.pipe(v.string(), v.maxLength(8))]) })
  report(points: number, who: string) {
    this.got.push([points, who]);
  }
}

describe('refused calls never run, the caller is told, and nothing else is disturbed', () => {
  it('arguments failing a zod schema are refused with E_INVALID_ARGS', async () => {
    const { net, sessions, games, errors, refusals } = await setup(3);
    sessions[1]!.rpc(games[1]!, { to: 'host' }).rename('');
    sessions[1]!.rpc(games[1]!, { to: 'host' }).rename('fine');
    await net.run(100);
    expect(games[0]!.of('rename').map((c) => c.args)).toEqual([['fine']]);
    expect(errors).toContainEqual({ at: 0, code: 'E_INVALID_ARGS', peer: sessions[1]!.id });
    expect(refusals).toEqual([{ at: 1, code: 'E_INVALID_ARGS', by: sessions[0]!.id }]);
    // Default policy: reported, not kicked.
    expect(sessions[1]!.connected).toBe(true);
  });

  it('a request with invalid arguments rejects with the reason', async () => {
    const { net, sessions, games } = await setup(2);
    const result = sessions[1]!
      .request(games[1]!, { to: 'host' })
      .rename('x'.repeat(50))
      .catch((e) => e);
    await net.run(100);
    expect(await result).toMatchObject({ code: 'E_INVALID_ARGS' });
  });

  it('accepts any Standard Schema validator (valibot here)', async () => {
    const scores: Scores[] = [];
    const { net, sessions, errors, refusals } = await setup(2, {
      setup: (s: Session, i: number) => {
        scores[i] = s.register('scores', new Scores());
      },
    });
    sessions[1]!.rpc(scores[1]!, { to: 'host' }).report(3, 'ann');
    sessions[1]!.rpc(scores[1]!, { to: 'host' }).report(4, 'a much too long name');
    await net.run(100);
    expect(scores[0]!.got).toEqual([[3, 'ann']]);
    // Refused on the host, and the caller is told.
    expect(errors.filter((e) => e.code === 'E_INVALID_ARGS')).toEqual([
      { at: 0, code: 'E_INVALID_ARGS', peer: sessions[1]!.id },
    ]);
    expect(refusals).toEqual([{ at: 1, code: 'E_INVALID_ARGS', by: sessions[0]!.id }]);
  });

  it('rate limits per sender: a burst beyond the limit is refused with E_RATE_LIMITED', async () => {
    const { net, sessions, games, errors } = await setup(3);
    for (let i = 0; i < 20; i++) sessions[1]!.rpc(games[1]!, { to: 'host' }).shout(`a${i}`);
    for (let i = 0; i < 3; i++) sessions[2]!.rpc(games[2]!, { to: 'host' }).shout(`b${i}`);
    await net.run(100);
    const shouts = games[0]!.of('shout');
    expect(shouts.filter((c) => c.from === sessions[1]!.id)).toHaveLength(5);
    expect(shouts.filter((c) => c.from === sessions[2]!.id)).toHaveLength(3);
    expect(errors.filter((e) => e.at === 0 && e.code === 'E_RATE_LIMITED')).toHaveLength(15);
    await net.run(1000); // the bucket refills
    sessions[1]!.rpc(games[1]!, { to: 'host' }).shout('later');
    await net.run(100);
    expect(games[0]!.of('shout').at(-1)!.args).toEqual(['later']);
  });

  it('an undecorated method cannot be called', async () => {
    const { sessions, games } = await setup(2);
    expect(() => (sessions[1]!.rpc(games[1]!) as any).secret()).toThrow(
      expect.objectContaining({ code: 'E_UNKNOWN_RPC' }),
    );
  });

  it('a forged authority call, an unknown object and an unknown method are refused by the host', async () => {
    const { net, sessions, games, errors, refusals } = await setup(3, { onViolation: () => 'report' });
    const client = sessions[1]!;
    const host = sessions[0]!;
    const send = (bytes: Uint8Array) => client.transport.send(host.id, 0, bytes);
    send(rawRpc({ node: 1, method: 1, args: ['forged'] })); // announce: authority-only
    send(rawRpc({ node: 99, method: 0, args: [1, 2] }));
    send(rawRpc({ node: 1, method: 200, args: [] }));
    send(rawRpc({ node: 1, method: 1, args: ['forged to all'], target: 1 })); // relay attempt
    await net.run(100);
    expect(games.map((g) => g.of('announce'))).toEqual([[], [], []]);
    const hostCodes = errors.filter((e) => e.at === 0).map((e) => e.code);
    expect(hostCodes).toEqual([
      'E_UNAUTHORIZED_RPC',
      'E_UNKNOWN_OBJECT',
      'E_UNKNOWN_RPC',
      'E_UNAUTHORIZED_RPC',
    ]);
    // The offender is told each time.
    expect(refusals.map((e) => e.code)).toEqual(hostCodes);
  });

  it('a malformed packet gets its sender kicked with a reason (default policy) and others keep playing', async () => {
    const { net, sessions, games } = await setup(3);
    const reasons: string[] = [];
    sessions[1]!.events.on('disconnected', ({ code, reason }) => reasons.push(`${code} ${reason}`));
    sessions[1]!.transport.send(sessions[0]!.id, 0, new Uint8Array([0x05, 0x01]));
    await net.run(500);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^E_KICKED E_BAD_PACKET/);
    expect(sessions[0]!.peers()).toEqual([sessions[2]!.id]);
    sessions[2]!.rpc(games[2]!).move(1, 2);
    await net.run(100);
    expect(games[0]!.of('move')).toHaveLength(1);
  });

  it('a client forging the relayed flag (spoofing another sender) is refused', async () => {
    const { net, sessions, games, errors } = await setup(3);
    // Claims to relay a call from index 2 to the host.
    sessions[1]!.transport.send(sessions[0]!.id, 0, rawRpc({ node: 1, method: 0, args: [1, 1], from: 2 }));
    await net.run(500);
    expect(games[0]!.of('move')).toEqual([]);
    expect(errors).toContainEqual({ at: 0, code: 'E_BAD_PACKET', peer: sessions[1]!.id });
    expect(sessions[1]!.connected).toBe(false);
  });
});
