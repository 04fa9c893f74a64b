import { ConfigError } from '@meshplay/core';
import type { IceServerConfig } from './driver.js';

/** libdatachannel's object form of an ICE server (used where its URL parser cannot go: IPv6 literals). */
export interface LibDataChannelIceServer {
  hostname: string;
  port: number;
  username?: string;
  password?: string;
  relayType?: 'TurnUdp' | 'TurnTcp' | 'TurnTls';
}

interface ParsedIceUrl {
  scheme: 'stun' | 'stuns' | 'turn' | 'turns';
  host: string;
  ipv6: boolean;
  port: number;
  transport: 'udp' | 'tcp' | undefined;
}

// RFC 7064 / 7065: scheme ":" host [":" port] ["?transport=" udp|tcp]; host may be a [v6] literal.
const ICE_URL =
  /^(stuns?|turns?):(\[[0-9A-Fa-f:.]+\]|[^\s:/?#@[\]]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i;

function parseIceUrl(url: string): ParsedIceUrl {
  const match = ICE_URL.exec(url.trim());
  if (!match) {
    throw new ConfigError(
      `invalid ICE server URL '${url}': expected stun:, stuns:, turn: or turns: host[:port]`,
    );
  }
  const scheme = (match[1] as string).toLowerCase() as ParsedIceUrl['scheme'];
  const rawHost = match[2] as string;
  const ipv6 = rawHost.startsWith('[');
  const secure = scheme === 'stuns' || scheme === 'turns';
  const port = match[3] === undefined ? (secure ? 5349 : 3478) : Number(match[3]);
  if (port < 1 || port > 65535) throw new ConfigError(`invalid port in ICE server URL '${url}'`);
  const transport = match[4]?.toLowerCase() as ParsedIceUrl['transport'];
  if (transport && scheme.startsWith('stun')) {
    throw new ConfigError(`'?transport=' is only valid on TURN URLs ('${url}')`);
  }
  return { scheme, host: ipv6 ? rawHost.slice(1, -1) : rawHost, ipv6, port, transport };
}

/**
 * Converts W3C `RTCIceServer`s to what node-datachannel takes: `turn:user:pass@host:port` strings
 * with percent-encoded credentials (libdatachannel decodes them; a `:` or `@` in a password would
 * otherwise break its URL parser), or the object form for IPv6 literals, which its parser cannot
 * read. Throws a `ConfigError` for URLs or credentials that cannot work.
 */
export function toLibDataChannelIceServers(
  servers: readonly IceServerConfig[],
): (string | LibDataChannelIceServer)[] {
  const out: (string | LibDataChannelIceServer)[] = [];
  for (const server of servers) {
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (urls.length === 0) throw new ConfigError('an ICE server needs at least one URL');
    for (const url of urls) {
      const parsed = parseIceUrl(url);
      if (parsed.scheme === 'stuns') {
        // libdatachannel has no STUN-over-TLS; W3C stacks rarely do either. Refuse instead of ignoring.
        throw new ConfigError(`'stuns:' is not supported ('${url}'); use stun: or turns:`);
      }
      const turn = parsed.scheme.startsWith('turn');
      if (turn && (server.username === undefined || server.credential === undefined)) {
        throw new ConfigError(`TURN server '${url}' needs a username and a credential`);
      }
      if (!turn) {
        out.push(
          parsed.ipv6 ? { hostname: parsed.host, port: parsed.port } : `stun:${parsed.host}:${parsed.port}`,
        );
        continue;
      }
      const relayType =
        parsed.scheme === 'turns' ? 'TurnTls' : parsed.transport === 'tcp' ? 'TurnTcp' : 'TurnUdp';
      if (parsed.ipv6) {
        out.push({
          hostname: parsed.host,
          port: parsed.port,
          username: server.username as string,
          password: server.credential as string,
          relayType,
        });
        continue;
      }
      const user = encodeURIComponent(server.username as string);
      const pass = encodeURIComponent(server.credential as string);
      const query = parsed.transport ? `?transport=${parsed.transport}` : '';
      out.push(`${parsed.scheme}:${user}:${pass}@${parsed.host}:${parsed.port}${query}`);
    }
  }
  return out;
}

/**
 * Brings a candidate line to the form both stacks accept: no `a=` prefix (libdatachannel emits
 * one, browsers reject it), no surrounding whitespace. Returns undefined for an empty
 * end-of-candidates marker; throws a `TypeError` for anything that is not a candidate line.
 */
export function normaliseCandidate(candidate: string): string | undefined {
  let line = candidate.trim();
  if (line.startsWith('a=')) line = line.slice(2);
  if (line === '') return undefined;
  if (!/^candidate:\S+ \d+ \S+ \d+ \S+ \d+ typ \S+/.test(line)) {
    throw new TypeError(`not an ICE candidate line: '${line.slice(0, 80)}'`);
  }
  return line;
}
