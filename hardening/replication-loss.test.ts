// Replicated state over real WebRTC (node-datachannel) under real UDP loss: the project's lossy
// UDP relay sits between a host and a client (spliced in through the ICE candidates) and drops 10%
// of packets both ways while the host moves 60 objects every tick; once the loss stops, the client
// converges to the host's state within the quantisation step.
import { NetworkObject, Replication, Session, sync } from '@meshplay/core';
import { MemorySignalingHub } from '@meshplay/signaling';
import { WebRtcTransport } from '@meshplay/transport-webrtc';
import { afterAll, describe, expect, it } from 'vitest';
import { LossyRelay } from '../packages/transport-webrtc/test/lossy-relay.js';

class Ship extends NetworkObject {
  @sync({ quantize: { step: 0.001 } }) accessor x = 0;
  @sync({ quantize: { step: 0.001 } }) accessor y = 0;
  @sync({ mode: 'onChange', type: 'uint8' }) accessor hp = 100;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('replicated state over real WebRTC with real packet loss', () => {
  const closing: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const close of closing.reverse()) await close();
  });

  it('converges to the host state after 10% loss stops', async () => {
    const relay = await LossyRelay.create(21);
    closing.push(() => relay.close());
    const hub = new MemorySignalingHub();
    const options = { topology: 'star', bindAddress: '127.0.0.1', heartbeatTimeoutMs: 5000 } as const;
    const ta = await WebRtcTransport.join(relay.wrap(hub.adapter()), 'rep-loss', options);
    const tb = await WebRtcTransport.join(relay.wrap(hub.adapter()), 'rep-loss', options);
    const sessions = [
      new Session({ transport: ta, role: 'host', inbox: 'poll', heartbeatTimeoutMs: 10_000 }),
      new Session({
        transport: tb,
        role: 'client',
        inbox: 'poll',
        heartbeatTimeoutMs: 10_000,
        joinTimeoutMs: 20_000,
      }),
    ];
    const reps = sessions.map((session) => {
      const rep = new Replication({ rate: 30 });
      rep.register(Ship, 'Ship');
      session.use(rep);
      closing.push(() => session.close());
      return rep;
    });
    await sessions[1]!.ready();
    const [host, client] = reps as [Replication, Replication];
    const ships = Array.from({ length: 60 }, (_, i) => host.spawn(Ship, { x: i, y: 0 }));

    relay.loss = 0.1;
    const moving = setInterval(() => {
      for (const [i, ship] of ships.entries()) {
        ship.x += Math.sin(i) * 0.37;
        ship.y += 0.05;
      }
      ships[Math.floor(Math.random() * ships.length)]!.hp -= 1;
    }, 33);
    await sleep(3000);
    clearInterval(moving);
    relay.loss = 0;
    expect(relay.dropped).toBeGreaterThan(20);

    const converged = () =>
      ships.every((ship) => {
        const copy = client.get(ship.id) as Ship | undefined;
        return (
          copy !== undefined &&
          Math.abs(copy.x - ship.x) <= 0.0005 + 1e-9 &&
          Math.abs(copy.y - ship.y) <= 0.0005 + 1e-9 &&
          copy.hp === ship.hp
        );
      });
    const deadline = performance.now() + 3000;
    while (!converged() && performance.now() < deadline) await sleep(20);
    expect(converged()).toBe(true);
    expect(client.objects()).toHaveLength(60);
  }, 30_000);
});
