import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client, JsonLogger } from '@kubeloom/core';
import { bindExport } from '../bind/bind-export.ts';
import { Konnector } from '../konnector/konnector.ts';

/** Where the command writes (the CLI's output streams). */
export interface BindCommandOutput {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** `kubeloom bind --help`. */
export const bindUsage = `Usage:
  kubeloom bind <backend-url> [<export>] [--kubeconfig <path>] [--context <name>] [--no-browser]
  kubeloom bind konnector [--kubeconfig <path>] [--context <name>]

bind logs in to a kube-bind backend (a browser opens; with --no-browser the URL is printed), picks the
export (name it when the backend offers several), stores the provider kubeconfig in a Secret in namespace
kube-bind, asks the provider for the export and creates the APIServiceBinding. The konnector then installs
the bound CRDs and syncs their objects.

bind konnector runs the konnector for the cluster in the foreground until interrupted: one process serves
every APIServiceBinding of the cluster, whatever provider it binds.

Options:
      --kubeconfig <p>   the consumer cluster's kubeconfig (default $KUBECONFIG, then ~/.kube/config)
      --context <name>   kubeconfig context (default its current context)
      --no-browser       print the login URL instead of opening a browser
  -h, --help             show this help`;

/** Opens a URL in the user's browser, best effort (the URL is printed as well). */
function openBrowser(url: string): void {
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // The printed URL is the fallback.
  }
}

/**
 * Runs `kubeloom bind ...` with the arguments after `bind`; returns the exit code: 0 done, 1 failed,
 * 2 wrong usage. `signal` stops `bind konnector` (default: SIGINT/SIGTERM).
 */
export async function bindCommand(
  args: readonly string[],
  output: BindCommandOutput,
  signal?: AbortSignal,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'no-browser': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage(output, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output.out(bindUsage);
    return 0;
  }
  const [first, exportName, ...extra] = positionals;
  if (!first) return usage(output, 'bind needs the backend URL, e.g. kubeloom bind https://bind.example.com');
  if (extra.length > 0) return usage(output, `unexpected arguments: ${extra.join(' ')}`);
  let consumer: Client;
  try {
    consumer = Client.fromKubeConfig({
      ...(values.kubeconfig ? { path: values.kubeconfig } : {}),
      ...(values.context ? { context: values.context } : {}),
    });
  } catch (error) {
    output.err(`kubeloom bind: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    if (first === 'konnector') {
      if (exportName) return usage(output, `unexpected arguments: ${exportName}`);
      return await runKonnector(consumer, output, signal);
    }
    if (!/^https?:\/\//.test(first)) {
      return usage(output, `"${first}" is not a backend URL; give one such as https://bind.example.com`);
    }
    const bound = await bindExport({
      backendUrl: first,
      consumer,
      ...(exportName ? { exportName } : {}),
      openLoginPage: (url) => {
        output.out(`Open this URL to log in: ${url}`);
        if (!values['no-browser']) openBrowser(url);
      },
      log: (line) => output.out(line),
    });
    output.out(
      `Bound ${bound.bindingName}. Run the konnector for this cluster if it is not running: kubeloom bind konnector`,
    );
    return 0;
  } catch (error) {
    output.err(`kubeloom bind: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await consumer.rest.pool.close();
  }
}

/** Runs the konnector until the signal (or SIGINT/SIGTERM). */
async function runKonnector(
  consumer: Client,
  output: BindCommandOutput,
  signal?: AbortSignal,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  if (signal) signal.addEventListener('abort', onSignal, { once: true });
  else {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  output.out(`The konnector runs against ${consumer.rest.server}; stop it with Ctrl-C.`);
  try {
    await new Konnector({ consumer, logger: new JsonLogger({ destination: process.stderr }) }).start(
      stop.signal,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}

/** Reports wrong usage: exit code 2. */
function usage(output: BindCommandOutput, message: string): number {
  output.err(`kubeloom bind: ${message}`);
  output.err('Run kubeloom bind --help for usage.');
  return 2;
}
