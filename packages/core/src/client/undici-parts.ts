import { createRequire } from 'node:module';
import type { Agent as UndiciAgent, Dispatcher, buildConnector } from 'undici';

// undici's index loads every dispatcher, mock agent, cache store, fetch and WebSocket (~13 MiB and a
// noticeable share of start-up); a client needs only the Agent and the request API. undici has no
// `exports` map, so its modules can be loaded directly; the types come from its index (free at runtime).
// Both are loaded on first use, so importing @kubeloom/core does not load Node's TLS and HTTP stacks.
const require = createRequire(import.meta.url);

type ApiRequest = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

let agentClass: typeof UndiciAgent | undefined;
let connectorBuilder: typeof buildConnector | undefined;
let apiRequest: ApiRequest | undefined;

/** A new undici Agent (connection pools per origin), loaded without the rest of undici. */
export function newAgent(options: UndiciAgent.Options): UndiciAgent {
  agentClass ??= require('undici/lib/dispatcher/agent.js') as typeof UndiciAgent;
  return new agentClass(options);
}

/** undici's TCP/TLS connector for `options` (the one an Agent builds from its `connect` options). */
export function newConnector(options: buildConnector.BuildOptions): buildConnector.connector {
  connectorBuilder ??= require('undici/lib/core/connect.js') as typeof buildConnector;
  return connectorBuilder(options);
}

/** The options of {@link request}: undici's request options with the dispatcher required. */
export type RequestWithDispatcher = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & {
  dispatcher: Dispatcher;
};

/** undici's `request(url, options)` on an explicit dispatcher (never the global one). */
export function request(url: string, options: RequestWithDispatcher): Promise<Dispatcher.ResponseData> {
  apiRequest ??= require('undici/lib/api/api-request.js') as ApiRequest;
  const { dispatcher, ...rest } = options;
  const parsed = new URL(url);
  return apiRequest.call(dispatcher, {
    ...rest,
    origin: parsed.origin,
    path: `${parsed.pathname}${parsed.search}`,
  });
}
