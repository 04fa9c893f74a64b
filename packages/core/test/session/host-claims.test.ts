import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/index.js';
import { writeHost } from '../../src/wire/encode.js';
import { ByteWriter } from '../../src/wire/writer.js';
import { setup } from '../fixtures.js';

/** What a member puts on the wire to say "I am the host now". */
function hostClaim(claimant: Session): Uint8Array {
  const w = new ByteWriter(8);
  writeHost(w, claimant.indexOf(claimant.id)!);
  return w.toBytes();
}

/** Errors `session` reported about packets from `peer`. */
function refusalsOf(session: Session): string[] {
  const seen: string[] = [];
  session.events.on('error', ({ error, peer }) => void seen.push(`${peer}:${error.code}:${error.message}`));
  return seen;
}

describe('host claims (a member announcing itself as host)', () => {
  it('star: a client claiming the host role is refused and the host stays host for everyone', async () => {
    const { net, sessions, games } = await setup(3);
    const [host, liar, honest] = sessions as [Session, Session, Session];
    const errors = refusalsOf(host);
    liar.transport.send(host.id, 0, hostClaim(liar));
    await net.run(100);
    expect(errors).toEqual([`${liar.id}:E_BAD_PACKET:host announcement in a star session`]);
    expect(host.isHost).toBe(true);
    expect(honest.hostId).toBe(host.id);
    honest.rpc(games[2]!).move(1, 2);
    await net.run(100);
    expect(games[0]!.of('move').filter((c) => c.from === honest.id)).toHaveLength(1);
  });

  it('mesh: a claim to the live host, or out of election order, changes nothing', async () => {
    const { net, sessions } = await setup(4, { topology: 'mesh' });
    const [host, next, , liar] = sessions as [Session, Session, Session, Session];
    const hostErrors = refusalsOf(host);
    const nextErrors = refusalsOf(next);
    liar.transport.send(host.id, 0, hostClaim(liar));
    liar.transport.send(next.id, 0, hostClaim(liar));
    await net.run(100);
    expect(hostErrors).toEqual([`${liar.id}:E_BAD_PACKET:a member claimed the host role from the live host`]);
    expect(nextErrors).toEqual([`${liar.id}:E_BAD_PACKET:host announcement out of election order`]);
    for (const s of sessions.slice(0, 3)) expect(s.hostId).toBe(host.id);
    expect(host.isHost).toBe(true);
    // The host's policy kicks the offender; it never became anyone's host.
    expect(host.peers()).not.toContain(liar.id);
    expect(liar.connected).toBe(false);
    for (const s of sessions.slice(0, 3)) expect(s.peers()).not.toContain(liar.id);
  });
});
