import type { PeerId } from '../ids.js';
import type { Session } from '../session/session.js';
import type { Entry } from './entry.js';

// Who does what with an object, by topology: in a star the host sends every object and owners send
// theirs to the host; in a mesh owners send their objects to everyone. Predicted classes are the
// host's to simulate.

/** Whether this peer sends the object's state to anyone. */
export function sendsState(session: Session, entry: Entry): boolean {
  if (session.topology === 'host' && session.isHost) return true;
  return entry.owner === session.id && !(entry.info.predict && !session.isHost);
}

/** The linked peer whose state for the object this peer accepts (undefined: none). */
export function sourceOf(session: Session, entry: Entry): PeerId | undefined {
  const self = session.id;
  if (session.topology === 'host') {
    if (session.isHost) return entry.owner !== self && !entry.info.predict ? entry.owner : undefined;
    return entry.owner === self && !entry.info.predict ? undefined : session.hostId;
  }
  return entry.owner === self ? undefined : entry.owner;
}

/** Whether this peer announces the object to others (spawns it on them). */
export function keepsRecord(session: Session, entry: Entry): boolean {
  return session.topology === 'host' ? session.isHost : entry.owner === session.id;
}

/** Whether this peer spawns objects on others at all (a star client only asks the host). */
export function spawnsForOthers(session: Session): boolean {
  return session.topology === 'mesh' || session.isHost;
}
