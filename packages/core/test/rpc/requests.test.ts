import { describe, expect, it } from 'vitest';
import { setup } from '../fixtures.js';

describe('request / response', () => {
  it('resolves with the remote return value, to the host and to another client through the relay', async () => {
    const { net, sessions, games } = await setup(3);
    const [, a, b] = sessions;
    const toHost = a!.request(games[1]!, { to: 'host' }).add(2, 3);
    const toPeer = a!.request(games[1]!, { to: b!.id }).addLater(4, 5);
    await net.run(100);
    expect(await toHost).toBe(5);
    expect(await toPeer).toBe(9);
    expect(games[2]!.of('addLater')[0]!.from).toBe(a!.id);
  });

  it('a request to this peer runs locally', async () => {
    const { sessions, games } = await setup(2);
    expect(await sessions[1]!.request(games[1]!, { to: sessions[1]!.id }).add(1, 1)).toBe(2);
  });

  it('rejects with E_RPC_FAILED and the message when the remote method throws', async () => {
    const { net, sessions, games } = await setup(2);
    const result = sessions[1]!.request(games[1]!, { to: 'host' }).fail('boom');
    const settled = result.catch((error) => error);
    await net.run(100);
    expect(await settled).toMatchObject({ code: 'E_RPC_FAILED', message: expect.stringContaining('boom') });
  });

  it('rejects with E_RPC_TIMEOUT after the timeout', async () => {
    const { net, sessions, games } = await setup(2);
    const result = sessions[1]!.request(games[1]!, { to: 'host', timeout: 300 }).never();
    const settled = result.catch((error) => error);
    await net.run(299);
    await net.run(2);
    expect(await settled).toMatchObject({ code: 'E_RPC_TIMEOUT' });
  });

  it('times each request out at its own deadline, whatever order they were sent in', async () => {
    const { net, sessions, games } = await setup(2);
    const settled = new Map<string, string>();
    const track = (name: string, p: Promise<unknown>) =>
      p.then(
        () => settled.set(name, `${net.now()}:ok`),
        (error) => settled.set(name, `${net.now()}:${error.code}`),
      );
    const start = net.now();
    const to = (timeout: number) => sessions[1]!.request(games[1]!, { to: 'host', timeout });
    track('long', to(500).never());
    track('short', to(200).never());
    track('answered', to(100).add(1, 2));
    await net.run(199);
    expect([...settled.keys()]).toEqual(['answered']);
    await net.run(2);
    expect(settled.get('short')).toBe(`${start + 200}:E_RPC_TIMEOUT`);
    await net.run(298);
    expect(settled.has('long')).toBe(false);
    await net.run(2);
    expect(settled.get('long')).toBe(`${start + 500}:E_RPC_TIMEOUT`);
  });

  it('rejects with E_RPC_ABORTED when the signal aborts, or at once if already aborted', async () => {
    const { net, sessions, games } = await setup(2);
    const controller = new AbortController();
    const result = sessions[1]!.request(games[1]!, { to: 'host', signal: controller.signal }).never();
    await net.run(50);
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'E_RPC_ABORTED' });
    const already = sessions[1]!.request(games[1]!, { to: 'host', signal: controller.signal }).add(1, 2);
    await expect(already).rejects.toMatchObject({ code: 'E_RPC_ABORTED' });
  });

  it('rejects with E_PEER_LEFT when the target leaves before answering', async () => {
    const { net, sessions, games } = await setup(3);
    const result = sessions[1]!.request(games[1]!, { to: sessions[2]!.id }).never();
    const settled = result.catch((error) => error);
    await net.run(50);
    await sessions[2]!.close();
    await net.run(100);
    expect(await settled).toMatchObject({ code: 'E_PEER_LEFT' });
  });

  it('rejects pending requests with E_SESSION_CLOSED when this session closes', async () => {
    const { sessions, games } = await setup(2);
    const result = sessions[1]!.request(games[1]!, { to: 'host' }).never();
    await sessions[1]!.close();
    await expect(result).rejects.toMatchObject({ code: 'E_SESSION_CLOSED' });
  });

  it('rejects a request to a peer that is not in the session', async () => {
    const { sessions, games } = await setup(2);
    await expect(
      sessions[1]!.request(games[1]!, { to: 'nobody-nobody-nobody1' }).add(1, 2),
    ).rejects.toMatchObject({
      code: 'E_PEER_LEFT',
    });
  });
});
