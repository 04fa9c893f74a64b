import { ConfigError } from '@meshplay/core';
import { describe, expect, it } from 'vitest';
import { normaliseCandidate, toLibDataChannelIceServers } from '../src/index.js';

describe('W3C iceServers → node-datachannel', () => {
  it('keeps STUN servers as host:port strings, with the default port filled in', () => {
    expect(toLibDataChannelIceServers([{ urls: ['stun:stun.example.org', 'stun:10.0.0.1:19302'] }])).toEqual([
      'stun:stun.example.org:3478',
      'stun:10.0.0.1:19302',
    ]);
  });

  it('puts TURN credentials into the URL, percent-encoded so ":" and "@" survive', () => {
    const [server] = toLibDataChannelIceServers([
      { urls: 'turn:turn.example.org:3479?transport=udp', username: 'user:1@x', credential: 'p@ss:w/rd%' },
    ]);
    expect(server).toBe('turn:user%3A1%40x:p%40ss%3Aw%2Frd%25@turn.example.org:3479?transport=udp');
    // What libdatachannel's parser reads back (its regex stops the user at ':' and the password at '@').
    const match = /^turn:([^:@]*):([^@]*)@([^:/?#]*):(\d+)/.exec(server as string);
    expect(decodeURIComponent(match?.[1] ?? '')).toBe('user:1@x');
    expect(decodeURIComponent(match?.[2] ?? '')).toBe('p@ss:w/rd%');
  });

  it('maps turns: and ?transport=tcp, with 5349 as the TLS default port', () => {
    expect(
      toLibDataChannelIceServers([
        {
          urls: ['turns:relay.example.org', 'turn:relay.example.org?transport=tcp'],
          username: 'u',
          credential: 'c',
        },
      ]),
    ).toEqual(['turns:u:c@relay.example.org:5349', 'turn:u:c@relay.example.org:3478?transport=tcp']);
  });

  it('uses the object form for IPv6 literals, which the URL parser cannot read', () => {
    expect(
      toLibDataChannelIceServers([
        { urls: 'stun:[2001:db8::1]:3478' },
        { urls: 'turn:[::1]', username: 'u', credential: 'c:@' },
      ]),
    ).toEqual([
      { hostname: '2001:db8::1', port: 3478 },
      { hostname: '::1', port: 3478, username: 'u', password: 'c:@', relayType: 'TurnUdp' },
    ]);
  });

  it('refuses what cannot work, clearly', () => {
    const refuse = (servers: Parameters<typeof toLibDataChannelIceServers>[0], pattern: RegExp) => {
      expect(() => toLibDataChannelIceServers(servers)).toThrow(ConfigError);
      expect(() => toLibDataChannelIceServers(servers)).toThrow(pattern);
    };
    refuse([{ urls: 'turn:relay.example.org' }], /needs a username and a credential/);
    refuse([{ urls: 'http://example.org' }], /invalid ICE server URL/);
    refuse([{ urls: 'stun:host:99999' }], /invalid port/);
    refuse([{ urls: 'stun:host?transport=udp' }], /only valid on TURN/);
    refuse([{ urls: 'stuns:host' }], /not supported/);
    refuse([{ urls: [] }], /at least one URL/);
  });
});

describe('candidate normalisation', () => {
  const line = 'candidate:1 1 UDP 2114977791 127.0.0.1 46214 typ host';

  it("strips libdatachannel's a= prefix and surrounding whitespace", () => {
    expect(normaliseCandidate(`a=${line}`)).toBe(line);
    expect(normaliseCandidate(`  ${line}\r\n`)).toBe(line);
    expect(normaliseCandidate(line)).toBe(line);
  });

  it('keeps browser candidates with extensions (mDNS host names, tcptype, generation)', () => {
    const browser =
      'candidate:842163049 1 udp 1677729535 4a1b2c3d-1111-2222-3333-444455556666.local 51234 typ host generation 0 ufrag x network-cost 999';
    expect(normaliseCandidate(browser)).toBe(browser);
  });

  it('reads an empty line as end-of-candidates and refuses non-candidates', () => {
    expect(normaliseCandidate('')).toBeUndefined();
    expect(normaliseCandidate('a=')).toBeUndefined();
    expect(() => normaliseCandidate('candidate:garbage')).toThrow(TypeError);
    expect(() => normaliseCandidate('a=ice-ufrag:abcd')).toThrow(TypeError);
  });
});
