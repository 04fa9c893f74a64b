// Mutated real datagrams into a live host session, from an admitted peer: every input is applied
// or refused with a typed error, the host never throws nor loses its role, and an honest client
// keeps being served.
import { createSessions, MeshplayError, Rng, rpc, type Session, SimNetwork } from '@meshplay/core';
import { counts, defineTarget, mutate, refused } from '../harness.ts';

class Lobby {
  readonly log: string[] = [];
  constructor(readonly session: Session) {}
  @rpc({ mode: 'any' })
  chat(text: string) {
    this.log.push(`${this.session.remoteSender}:${String(text)}`);
  }
  @rpc({ mode: 'authority' })
  start(seed: number) {
    this.log.push(`start ${seed}`);
  }
  @rpc({ mode: 'any' })
  add(a: number, b: number) {
    return a + b;
  }
}

/** Runs a short honest session and records every datagram the peers send: the seed corpus. */
async function record(): Promise<{
  net: SimNetwork;
  sessions: Session[];
  lobbies: Lobby[];
  corpus: Uint8Array[];
}> {
  const net = new SimNetwork({ seed: 11, latency: 2 });
  const corpus: Uint8Array[] = [];
  const perKind: number[] = [];
  const lobbies: Lobby[] = [];
  const sessions = await createSessions(net, 3, {
    heartbeatIntervalMs: 50,
    heartbeatTimeoutMs: 60_000,
    onViolation: () => 'report',
    setup: (s, i) => {
      lobbies[i] = s.register('lobby', new Lobby(s));
      const send = s.transport.send.bind(s.transport);
      s.transport.send = (peer, channel, data) => {
        // Keep a few of each kind, so heartbeats do not crowd out the interesting messages.
        const kind = data[0]! & 0x0f;
        if ((perKind[kind] = (perKind[kind] ?? 0) + 1) <= 8) corpus.push(data.slice());
        send(peer, channel, data);
      };
    },
  });
  sessions[1]!.rpc(lobbies[1]!).chat('hello');
  sessions[2]!.rpc(lobbies[2]!, { to: sessions[1]!.id }).chat('psst');
  sessions[0]!.rpc(lobbies[0]!).start(7);
  const answer = sessions[2]!.request(lobbies[2]!, { to: sessions[1]!.id }).add(2, 3);
  sessions[1]!.sendBytes(new Uint8Array([1, 2, 3]), { except: sessions[2]!.id });
  await net.run(200);
  await answer;
  // Frames an honest run never sends from a member, each a claim on the membership: a host
  // announcement (kind 10) and a peer-left announcement (kind 3, second form) for low indices.
  for (let index = 0; index < 8; index++)
    corpus.push(Uint8Array.of(10, index), Uint8Array.of(0x13, index, 0));
  return { net, sessions, lobbies, corpus };
}

/** A raw endpoint that says Hello to the host and is admitted; returns its id. */
async function admit(net: SimNetwork, host: Session): Promise<string> {
  const transport = net.createTransport();
  net.connect(host.id, transport.localId);
  await net.runUntil(() => transport.peers().length > 0, 1000);
  transport.send(host.id, 0, HELLO);
  await net.runUntil(() => host.peers().includes(transport.localId), 1000);
  return transport.localId;
}

/** Hello `{ v: 1, c: null }`. */
const HELLO = new Uint8Array([0x00, 0x07, 0x82, 0xa1, 0x76, 0x01, 0xa1, 0x63, 0xc0]);

export default defineTarget({
  name: 'session-decoder',
  async run(iterations, seed) {
    const { net, sessions, lobbies, corpus } = await record();
    const [host, , honest] = sessions as [Session, Session, Session];
    const tally = counts();
    let attacker = await admit(net, host);
    let rejoins = 0;
    let lastError: unknown;
    host.events.on('error', ({ error }) => {
      lastError = error;
    });
    const rng = new Rng(seed);
    for (let i = 0; i < iterations; i++) {
      const input = mutate(rng, corpus);
      lastError = undefined;
      tally.inputs++;
      // A mutated Goodbye, or a kick, ends the attacker's membership: bring in a new one.
      if (!host.peers().includes(attacker)) {
        attacker = await admit(net, host);
        rejoins++;
      }
      try {
        host.receive(attacker, rng.int(3), input);
      } catch (error) {
        throw new Error(`host.receive threw for ${Buffer.from(input).toString('hex')}`, { cause: error });
      }
      // No input from a member may take the host role or change whom the others follow.
      if (!host.isHost || host.hostId !== host.id || honest.hostId !== host.id)
        throw new Error(`the host lost its role to ${Buffer.from(input).toString('hex')}`);
      if (lastError === undefined) tally.accepted++;
      else refused(tally, lastError, input);
      // Let refusals and results flush now and then, as the network would.
      if (i % 1000 === 999) await net.run(1);
    }
    await net.run(100);
    if (!host.connected || !honest.connected) throw new Error('the host or the honest client fell over');
    const before = lobbies[0]!.log.length;
    honest.rpc(lobbies[2]!).chat('still here');
    await net.run(50);
    if (lobbies[0]!.log.length !== before + 1) throw new Error('the honest client is no longer served');
    if (!(lastError === undefined || lastError instanceof MeshplayError)) throw new Error('untyped error');
    await net.stop();
    return { ...tally, codes: { ...tally.codes, rejoins } };
  },
});
