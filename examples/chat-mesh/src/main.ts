// `pnpm --filter @meshplay/example-chat-mesh start -- --create --name alice`: a terminal chat
// over a full WebRTC mesh. Lines typed are said to everyone; see HELP for the commands.
import { parseArgs } from 'node:util';
import { SignalingServer } from '@meshplay/signaling/server';
import { ChatClient, type ChatClientOptions } from './chat-client.js';
import { HELP, runTerminal } from './terminal.js';

const USAGE = `usage: chat-mesh (--create | --join CODE) [--name NAME] [--server ws://127.0.0.1:9080]
                 [--serve] [--password PASSWORD] [--bind ADDRESS]
  --create    create a lobby and print its join code
  --join      join the lobby with this code
  --serve     also run a signaling server on --server's port, in this process
  --bind      local address for WebRTC candidates (127.0.0.1: this machine only)`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let values: Partial<Record<'server' | 'join' | 'name' | 'password' | 'bind', string>> & {
  create?: boolean;
  serve?: boolean;
  help?: boolean;
};
try {
  ({ values } = parseArgs({
    // pnpm forwards a literal '--' before the script's own flags.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      server: { type: 'string', default: 'ws://127.0.0.1:9080' },
      create: { type: 'boolean' },
      join: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      bind: { type: 'string' },
      serve: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (Boolean(values.create) === (values.join !== undefined))
  fail('give exactly one of --create and --join CODE');

const serverUrl = values.server!;
let server: SignalingServer | undefined;
if (values.serve) {
  const url = new URL(serverUrl);
  server = await SignalingServer.start({ host: url.hostname, port: Number(url.port || 80) });
  console.log(`* signaling server listening on ${server.url}`);
}

const options: ChatClientOptions = {
  server: serverUrl,
  name: values.name ?? process.env.USER ?? 'anonymous',
  ...(values.password === undefined ? {} : { password: values.password }),
  ...(values.bind === undefined ? {} : { bindAddress: values.bind }),
};
console.log(
  values.join === undefined
    ? `* creating a lobby on ${serverUrl} …`
    : `* joining lobby ${values.join.toUpperCase()} on ${serverUrl} …`,
);
let client: ChatClient;
try {
  client =
    values.join === undefined
      ? await ChatClient.create(options)
      : await ChatClient.join(values.join, options);
} catch (error) {
  const code = (error as { code?: unknown }).code;
  console.error(
    `! could not ${values.create ? 'create a lobby' : 'join'}: ${code ? `${code}: ` : ''}${(error as Error).message}`,
  );
  await server?.close();
  process.exit(1);
}

if (values.create) {
  console.log(`* lobby created, join code ${client.code}: others run --join ${client.code}`);
  console.log('* you host it; /seal once everyone is in');
} else {
  console.log(`* joined lobby ${client.code} as ${client.name}`);
}
console.log(`* ${HELP}`);
const clean = await runTerminal(client, process.stdin, (line) => console.log(line));
await server?.close();
console.log('* bye');
// Everything is closed: the process ends by itself once the event loop is empty.
process.exitCode = clean ? 0 : 1;
