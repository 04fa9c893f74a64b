// Star and mesh over real links, with core Sessions and decorated RPCs on top.
import { rpc, type Session } from '@meshplay/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Pool, sessions, waitFor } from './helpers.js';

class Ledger {
  readonly calls: { from: string | undefined; value: number }[] = [];
  constructor(readonly session: Session) {}

  @rpc({ mode: 'any' })
  note(value: number) {
    this.calls.push({ from: this.session.remoteSender, value });
  }

  @rpc({ mode: 'any' })
  twice(value: number): number {
    return value * 2;
  }
}

const pool = new Pool();
afterAll(() => pool.closeAll());

describe('mesh of 8', () => {
  it('links every pair directly; every pair exchanges calls and requests', async () => {
    const ledgers: Ledger[] = [];
    const group = await sessions(pool, 'mesh-8', 8, {
      topology: 'mesh',
      setup: (session, i) => void (ledgers[i] = session.register('ledger', new Ledger(session))),
    });
    for (const session of group) expect(session.transport.peers()).toHaveLength(7);
    group.forEach((session, i) => {
      for (const other of group) if (other !== session) session.rpc(ledgers[i]!, { to: other.id }).note(i);
    });
    const requests = group.flatMap((session, i) =>
      group
        .filter((other) => other !== session)
        .map((other) => session.request(ledgers[i]!, { to: other.id }).twice(i)),
    );
    expect(await Promise.all(requests)).toEqual(group.flatMap((_, i) => Array(7).fill(i * 2)));
    await waitFor(() => ledgers.every((l) => l.calls.length === 7), 10_000, 'every call');
    ledgers.forEach((ledger, j) => {
      expect(ledger.calls.map((c) => c.from).sort()).toEqual(
        group
          .filter((_, i) => i !== j)
          .map((s) => s.id)
          .sort(),
      );
      for (const call of ledger.calls) expect(call.value).toBe(group.findIndex((s) => s.id === call.from));
    });
    // Every datagram went peer to peer: each transport sent to all 7 others.
    for (const session of group) {
      for (const peer of session.transport.peers())
        expect(session.transport.stats(peer)!.messagesSent).toBeGreaterThan(0);
    }
  }, 60_000);
});

describe('star: a host with 8 clients', () => {
  it('clients link only to the host, which relays calls between them with the true sender', async () => {
    const ledgers: Ledger[] = [];
    const group = await sessions(pool, 'star-8', 9, {
      topology: 'host',
      setup: (session, i) => void (ledgers[i] = session.register('ledger', new Ledger(session))),
    });
    const [host, ...clients] = group;
    expect(host!.isHost).toBe(true);
    expect(host!.transport.peers()).toHaveLength(8);
    for (const client of clients) {
      expect(client.transport.peers()).toEqual([host!.id]);
      expect(new Set(client.peers())).toEqual(new Set(group.filter((s) => s !== client).map((s) => s.id)));
    }
    // Every client calls everyone: each call reaches the host and, relayed, the 7 other clients.
    for (const [k, client] of clients.entries()) client.rpc(ledgers[k + 1]!).note(k + 1);
    // The host hears all 8 clients; each client the 7 others.
    await waitFor(
      () => ledgers.every((l, j) => l.calls.length === (j === 0 ? 8 : 7)),
      10_000,
      'every relayed call',
    );
    ledgers.forEach((ledger, j) => {
      const senders = ledger.calls.map((c) => c.from).sort();
      expect(senders).toEqual(
        clients
          .filter((c) => c !== group[j])
          .map((c) => c.id)
          .sort(),
      );
    });
    // A request from one client to another goes through the host and comes back.
    expect(await clients[0]!.request(ledgers[1]!, { to: clients[7]!.id }).twice(21)).toBe(42);
  }, 60_000);
});
