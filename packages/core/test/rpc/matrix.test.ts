import { describe, expect, it } from 'vitest';
import {
  Channel,
  type ChannelKind,
  createSessions,
  MessageKind,
  rpc,
  type Session,
  SimNetwork,
} from '../../src/index.js';

type Mode = 'authority' | 'any';
const MODES: Mode[] = ['authority', 'any'];
const LOCALS = [false, true];
const TRANSFERS: ChannelKind[] = ['reliable', 'unreliable-ordered', 'unreliable'];

/** Builds a service class whose single method has the given options. */
function serviceClass(mode: Mode, local: boolean, transfer: ChannelKind) {
  class Probe {
    readonly hits: (string | undefined)[] = [];
    constructor(readonly session: Session) {}
    @rpc({ mode, local, transfer })
    ping(n: number) {
      this.hits.push(`${n}:${this.session.remoteSender}`);
    }
  }
  return Probe;
}

/** Records the channel of every datagram carrying an Rpc that a session's transport sends. */
function spyChannels(session: Session): Set<number> {
  const channels = new Set<number>();
  const transport = session.transport;
  const send = transport.send.bind(transport);
  transport.send = (peer, channel, data) => {
    if ((data[0]! & 0x0f) === MessageKind.Rpc) channels.add(channel);
    send(peer, channel, data);
  };
  return channels;
}

describe('the @rpc option matrix: mode × local × transfer, called by the authority and by a client', () => {
  for (const topology of ['host', 'mesh'] as const) {
    for (const mode of MODES) {
      for (const local of LOCALS) {
        for (const transfer of TRANSFERS) {
          it(`${topology}: mode=${mode} local=${local} transfer=${transfer}`, async () => {
            const Probe = serviceClass(mode, local, transfer);
            const net = new SimNetwork({ seed: 3, latency: 5 });
            const probes: InstanceType<typeof Probe>[] = [];
            const sessions = await createSessions(net, 3, {
              topology,
              setup: (s, i) => {
                probes[i] = s.register('probe', new Probe(s));
              },
            });
            const [host, a] = sessions as [Session, Session, Session];
            const hostChannels = spyChannels(host);
            const clientChannels = spyChannels(a);

            // The host is the authority of a service: its call to everyone always works.
            host.rpc(probes[0]!).ping(1);
            await net.run(50);
            expect(probes[0]!.hits).toEqual(local ? [`1:${host.id}`] : []);
            expect(probes[1]!.hits).toEqual([`1:${host.id}`]);
            expect(probes[2]!.hits).toEqual([`1:${host.id}`]);

            // A client may call only `any` methods; an authority method is refused at the call site.
            const call = () => a.rpc(probes[1]!).ping(2);
            if (mode === 'authority') {
              expect(call).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED_RPC' }));
            } else {
              call();
            }
            await net.run(50);
            const expectClient = mode === 'any';
            expect(probes[0]!.hits.includes(`2:${a.id}`)).toBe(expectClient);
            expect(probes[2]!.hits.includes(`2:${a.id}`)).toBe(expectClient);
            expect(probes[1]!.hits.includes(`2:${a.id}`)).toBe(expectClient && local);

            const channel = {
              reliable: Channel.Reliable,
              'unreliable-ordered': Channel.UnreliableOrdered,
              unreliable: Channel.Unreliable,
            }[transfer];
            expect(hostChannels.has(channel)).toBe(true);
            if (expectClient) expect(clientChannels.has(channel)).toBe(true);
          });
        }
      }
    }
  }
});
