// The AsyncAPI 3.0 document of the WebSocket protocol, built from the message schemas and the close
// code catalogue, never written by hand.
import { CLOSE_CODES } from '../domain/disconnects.js';
import {
  clientMessages,
  type MessageSchema,
  messagePayload,
  serverMessages,
  signalFilterSchema,
  signalSchema,
} from '../gateway/message-schemas.js';

export interface AsyncApiOptions {
  version: string;
  /** host[:port] the document names as its server. */
  host: string;
  secure: boolean;
}

/** The catalogue as data (x-close-codes): clients may read their reconnect rules from it. */
const closeCatalogue = Object.entries(CLOSE_CODES).map(([name, c]) => ({ name, ...c }));

const closeTable = [
  '| code | meaning | action | client should |',
  '|---|---|---|---|',
  ...closeCatalogue.map((c) => `| ${c.code} | ${c.meaning} | ${c.action} | ${c.advice} |`),
].join('\n');

export function buildAsyncApi(opts: AsyncApiOptions): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const refs: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const add = (list: Record<string, MessageSchema>, action: 'send' | 'receive') => {
    for (const [type, m] of Object.entries(list)) {
      messages[type] = { name: type, title: type, summary: m.summary, payload: messagePayload(type, m) };
      refs[type] = { $ref: `#/components/messages/${type}` };
      // Operations are described from the client's side, as AsyncAPI 3 asks of a server document
      // read by client authors: the client sends `auth`, it receives `welcome`.
      operations[`${action}_${type}`] = {
        action,
        channel: { $ref: '#/channels/session' },
        messages: [{ $ref: `#/channels/session/messages/${type}` }],
        summary: m.summary,
      };
    }
  };
  add(clientMessages, 'send');
  add(serverMessages, 'receive');
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Catalyst WebSocket protocol',
      version: opts.version,
      description:
        'Text frames of one JSON message or a JSON array of them, both directions. ' +
        'Close codes and what a client does after each:\n\n' +
        closeTable,
    },
    defaultContentType: 'application/json',
    servers: {
      node: {
        host: opts.host,
        protocol: opts.secure ? 'wss' : 'ws',
        description: 'this node',
      },
    },
    channels: {
      session: {
        address: '/ws',
        title: 'A subscriber session',
        description: 'Also reachable as /ws/{client_id}.\n\n' + closeTable,
        messages: refs,
        'x-close-codes': closeCatalogue,
      },
    },
    operations,
    components: {
      schemas: { Signal: signalSchema, SignalFilter: signalFilterSchema },
      messages,
    },
  };
}
