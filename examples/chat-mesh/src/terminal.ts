import { createInterface } from 'node:readline';
import type { ChatClient, Member } from './chat-client.js';

/** Help shown by `/help`. */
export const HELP = 'type to chat; /who lists everyone, /seal closes the lobby (host), /quit leaves';

/** One line the user typed, understood. */
export type Command =
  | { kind: 'say'; text: string }
  | { kind: 'who' }
  | { kind: 'seal' }
  | { kind: 'quit' }
  | { kind: 'help' }
  | { kind: 'nothing' }
  | { kind: 'unknown'; name: string };

/** Reads one input line: `/command`, or text to say (`//text` says `/text`). */
export function parseCommand(line: string): Command {
  const text = line.trim();
  if (text === '') return { kind: 'nothing' };
  if (text.startsWith('//')) return { kind: 'say', text: text.slice(1) };
  if (!text.startsWith('/')) return { kind: 'say', text };
  const name = text.slice(1).split(/\s+/)[0]!.toLowerCase();
  switch (name) {
    case 'who':
    case 'seal':
    case 'quit':
    case 'help':
      return { kind: name };
    case 'exit':
      return { kind: 'quit' };
    default:
      return { kind: 'unknown', name };
  }
}

/** `/who`'s lines. */
export function formatMembers(members: readonly Member[]): string[] {
  const lines = [`* ${members.length} in the chat:`];
  for (const m of members) {
    const tags = [m.self ? 'you' : '', m.host ? 'host' : ''].filter(Boolean).join(', ');
    const rtt = m.self ? '' : m.rttMs === undefined ? ' rtt ?' : ` rtt ${m.rttMs.toFixed(1)} ms`;
    lines.push(`*   ${m.name ?? m.id.slice(0, 6)}${tags ? ` (${tags})` : ''}${rtt}`);
  }
  return lines;
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

/**
 * Runs the chat on a terminal: lines from `input` are said or obeyed, everything that happens is
 * printed through `print`. Resolves after `/quit`, the end of `input`, or a disconnection, with
 * the client closed; `true` when it ended cleanly.
 */
export async function runTerminal(
  client: ChatClient,
  input: NodeJS.ReadableStream,
  print: (line: string) => void,
): Promise<boolean> {
  const lines = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
  let clean = true;
  const { events } = client;
  events.on('message', ({ name, text }) => print(`<${name}> ${text}`));
  events.on('joined', ({ name, wasHere }) => print(`* ${name} ${wasHere ? 'is here' : 'joined'}`));
  events.on('left', ({ name, code, reason }) =>
    print(code === 'left' ? `* ${name} left` : `* ${name} left (${code}: ${reason})`),
  );
  events.on('host-changed', ({ host, name }) =>
    print(host === client.id ? '* you are now the host' : `* ${name} is now the host`),
  );
  events.on('sealed', () => print('* the lobby is sealed: nobody else can join'));
  events.on('error', ({ error }) => print(`! ${describe(error)}`));
  events.on('closed', ({ code, reason }) => {
    if (code === 'left') return;
    clean = false;
    print(`! disconnected (${code}: ${reason})`);
    lines.close();
  });

  // Whoever introduced themselves before these listeners existed (while joining) is here already.
  for (const member of client.who()) if (!member.self && member.name) print(`* ${member.name} is here`);

  for await (const line of lines) {
    const command = parseCommand(line);
    if (command.kind === 'quit') break;
    try {
      switch (command.kind) {
        case 'say':
          client.say(command.text);
          break;
        case 'who':
          for (const row of formatMembers(client.who())) print(row);
          break;
        case 'seal':
          if (client.sealed) print('! the lobby is already sealed');
          else if (!client.canSeal) print("! only the lobby's host can seal it");
          else await client.seal(); // the 'sealed' event prints the news
          break;
        case 'help':
          print(`* ${HELP}`);
          break;
        case 'unknown':
          print(`! unknown command /${command.name} (${HELP})`);
          break;
        case 'nothing':
          break;
      }
    } catch (error) {
      print(`! ${describe(error)}`);
    }
  }
  lines.close();
  await client.quit();
  return clean;
}
