import type { RpcPort } from '../rpc/rpc-layer.js';
import { Channel } from '../transport/channels.js';
import { writePlugin, writeResult, writeRpc } from '../wire/encode.js';
import type { PluginIO } from './plugin.js';
import type { Session } from './session.js';

/** What the RPC layer may do through its session: route calls and results, report refusals. */
export function rpcPort(s: Session): RpcPort {
  return {
    scheduler: s.options.scheduler,
    selfId: s.transport.localId,
    channelCount: s.transport.channels.length,
    isMember: (peer) => s.membership.table.has(peer),
    sendRpc: (dest, channel, requestId, node, method, args) =>
      s.router.send(
        dest,
        channel,
        (w, route) => writeRpc(w, route, requestId, node.id, method, args),
        node.visibleTo?.bind(node),
      ),
    sendResult: (to, requestId, errorCode, value) => {
      // A requester that left (or a session that closed) while an async handler ran needs no answer.
      if (s.closed || !s.membership.table.has(to)) return;
      s.router.send({ kind: 'one', peer: to }, Channel.Reliable, (w, route) =>
        writeResult(w, route, requestId, errorCode, value),
      );
    },
    refuse: (error, offender) => s.violation(error, offender),
    report: (error) => s.emit('error', { error }),
  };
}

/** What a plugin may do through its session (see {@link PluginIO}). */
export function pluginIO(s: Session): PluginIO {
  return {
    send: (peer, channel, kind, body) => {
      s.scratch.reset();
      writePlugin(s.scratch, kind, body);
      s.router.sendDirect(peer, channel, s.scratch.view(), false);
    },
    allocateNodeId: () => s.services.allocateId(),
    registry: s.registry,
    isLinked: (peer) => s.links.has(peer),
    refuse: (error, offender) => s.violation(error, offender),
    receivedAt: () => s.inbox.receivedAt,
    scheduler: s.options.scheduler,
  };
}
