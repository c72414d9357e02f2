/**
 * Command-line flags, compatible with upstream api-syncagent (HEAD, plus v0.2's `--apiexport-ref` that the
 * KubeCon workshop scripts pass). Like Go's `flag` package, `-flag` and `--flag`, `--flag value` and
 * `--flag=value`, and `--bool=true|false` are accepted. Every mistake is reported as an
 * {@link OptionsError} whose message says exactly what is wrong, followed by the usage.
 */
import { parseArgs } from 'node:util';
import { type LabelSelector, LabelSelectorError, parseLabelSelector } from '@kubeloom/core';

/** Controllers that `--disabled-controllers` can switch off. */
export const controllerNames = ['apiexport', 'apiresourceschema', 'sync'] as const;

/** The parsed and validated options. */
export interface SyncAgentOptions {
  /** Service-cluster kubeconfig; undefined means `$KUBECONFIG`, then `~/.kube/config`, then in-cluster. */
  kubeconfig?: string;
  kcpKubeconfig: string;
  namespace: string;
  agentName: string;
  /** Exactly one of the two references is set. */
  apiExportEndpointSliceRef?: string;
  /** v0.2 / kcp < 0.28: the APIExport itself (its virtual workspace URLs come from its status). */
  apiExportRef?: string;
  /** The selector string as given (empty selects everything) and its parsed form. */
  publishedResourceSelector: string;
  publishedResourceLabelSelector: LabelSelector;
  enableLeaderElection: boolean;
  kubeconfigHostOverride?: string;
  kubeconfigCaFileOverride?: string;
  /** `host:port`; empty or `0` disables the endpoint. */
  metricsAddress: string;
  healthAddress: string;
  disabledControllers: Array<(typeof controllerNames)[number]>;
  logFormat: 'json' | 'console';
  logDebug: boolean;
  /** `--enable-sharding` and its settings; undefined when every workspace is synced by this replica. */
  sharding?: ShardingFlags;
}

/** The `--shard-*` settings (durations in milliseconds). */
export interface ShardingFlags {
  /** Undefined: `<hostname>_<random uuid>`, unique per process. */
  identity?: string;
  buckets: number;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** Parsing produced either options, or the request to print the usage. */
export type ParsedCommandLine = { kind: 'run'; options: SyncAgentOptions } | { kind: 'help'; usage: string };

/** A command line that cannot be used; `message` includes the usage. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
  /** What is wrong, without the usage. */
  readonly problem: string;
  constructor(problem: string) {
    super(`${problem}\n\n${usage()}`);
    this.problem = problem;
  }
}

interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  defaultText: string;
  help: string;
}

const flags: readonly FlagSpec[] = [
  {
    name: 'kcp-kubeconfig',
    type: 'string',
    defaultText: 'required',
    help: 'kubeconfig of the kcp workspace that holds the APIExportEndpointSlice (its server URL must end in /clusters/<workspace>)',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    defaultText: '$KUBECONFIG, ~/.kube/config or in-cluster',
    help: 'kubeconfig of the service cluster',
  },
  {
    name: 'namespace',
    type: 'string',
    defaultText: 'required',
    help: 'namespace the agent runs in (leader-election Lease, object state Secrets)',
  },
  {
    name: 'agent-name',
    type: 'string',
    defaultText: '<apiexportendpointslice-ref or apiexport-ref>-syncagent',
    help: 'name of this agent (DNS-1035 label); must not change after the first run',
  },
  {
    name: 'apiexportendpointslice-ref',
    type: 'string',
    defaultText: 'required unless --apiexport-ref',
    help: 'name of the APIExportEndpointSlice in the kcp workspace',
  },
  {
    name: 'apiexport-ref',
    type: 'string',
    defaultText: '',
    help: 'deprecated (api-syncagent v0.2, kcp < 0.28): name of the APIExport in the kcp workspace',
  },
  {
    name: 'published-resource-selector',
    type: 'string',
    defaultText: 'everything',
    help: 'label selector restricting which PublishedResources this agent handles',
  },
  {
    name: 'enable-leader-election',
    type: 'boolean',
    defaultText: 'false',
    help: 'elect a leader among replicas (Lease syncagent.<agent-name>)',
  },
  {
    name: 'kubeconfig-host-override',
    type: 'string',
    defaultText: '',
    help: 'override the server URL of the service-cluster kubeconfig',
  },
  {
    name: 'kubeconfig-ca-file-override',
    type: 'string',
    defaultText: '',
    help: 'override the CA file of the service-cluster kubeconfig',
  },
  {
    name: 'metrics-address',
    type: 'string',
    defaultText: '127.0.0.1:8085',
    help: 'host:port for /metrics; "0" or "" disables it',
  },
  {
    name: 'health-address',
    type: 'string',
    defaultText: 'disabled',
    help: 'host:port for /healthz and /readyz',
  },
  {
    name: 'disabled-controllers',
    type: 'string',
    multiple: true,
    defaultText: 'none',
    help: `comma-separated controllers not to start (${controllerNames.join(', ')}); repeatable`,
  },
  {
    name: 'enable-sharding',
    type: 'boolean',
    defaultText: 'false',
    help: 'spread the bound workspaces over every replica with this --agent-name and --namespace (Leases <agent-name>-member-<identity> and <agent-name>-bucket-<n> in --namespace); not an upstream flag',
  },
  {
    name: 'shard-identity',
    type: 'string',
    defaultText: '<hostname>_<random uuid>',
    help: "this replica's name in the sharding Leases, unique per replica (use the pod name)",
  },
  {
    name: 'shard-buckets',
    type: 'string',
    defaultText: '64',
    help: 'number of fencing Leases the workspaces hash into; the same on every replica',
  },
  {
    name: 'shard-lease-duration',
    type: 'string',
    defaultText: '15s',
    help: "how long a sharding Lease stays valid without renewal (a crashed replica's workspaces move after this)",
  },
  {
    name: 'shard-renew-deadline',
    type: 'string',
    defaultText: '10s',
    help: 'a replica that could not renew a bucket for this long stops syncing its workspaces',
  },
  {
    name: 'shard-retry-period',
    type: 'string',
    defaultText: '2s',
    help: 'interval between sharding rounds (renew, take over, hand over)',
  },
  { name: 'log-format', type: 'string', defaultText: 'json', help: 'log format: json or console' },
  { name: 'log-debug', type: 'boolean', defaultText: 'false', help: 'log at debug level' },
  { name: 'help', type: 'boolean', defaultText: '', help: 'print this help' },
];

/** The usage text printed with every error and for `--help`. */
export function usage(): string {
  const lines = [
    'Usage: api-syncagent --kcp-kubeconfig <file> --namespace <ns> --apiexportendpointslice-ref <name> [flags]',
    '',
    'Flags:',
  ];
  for (const flag of flags) {
    const arg = flag.type === 'string' ? ' <value>' : '';
    const suffix = flag.defaultText ? ` (default: ${flag.defaultText})` : '';
    lines.push(`  --${flag.name}${arg}`, `      ${flag.help}${suffix}`);
  }
  return lines.join('\n');
}

const booleanFlags = new Set(flags.filter((f) => f.type === 'boolean').map((f) => f.name));
const knownFlags = new Set(flags.map((f) => f.name));
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Parses `argv` (without the node and script arguments). Throws {@link OptionsError}. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const values = parseFlags(normalizeArgs(argv));
  if (values.help) return { kind: 'help', usage: usage() };

  const kcpKubeconfig = required(values, 'kcp-kubeconfig');
  const namespace = required(values, 'namespace');
  const sliceRef = optionalString(values, 'apiexportendpointslice-ref');
  const exportRef = optionalString(values, 'apiexport-ref');
  if (sliceRef && exportRef) {
    throw new OptionsError(
      'use either --apiexportendpointslice-ref or the deprecated --apiexport-ref, not both',
    );
  }
  if (!sliceRef && !exportRef) {
    throw new OptionsError(
      'missing required flag --apiexportendpointslice-ref (or the deprecated --apiexport-ref for kcp < 0.28)',
    );
  }
  // Like upstream, only an explicit name must be a DNS-1035 label; the derived default (e.g.
  // "postgresql.cnpg.io-syncagent" in the workshop) is used as given, and is a valid label value.
  const explicitAgentName = optionalString(values, 'agent-name');
  if (
    explicitAgentName !== undefined &&
    (!dns1035Label.test(explicitAgentName) || explicitAgentName.length > 63)
  ) {
    throw new OptionsError(
      `--agent-name "${explicitAgentName}" is not a valid DNS-1035 label (lowercase letters, digits and "-", starting with a letter, at most 63 characters)`,
    );
  }
  const agentName = explicitAgentName || `${sliceRef ?? exportRef}-syncagent`;
  const selector = optionalString(values, 'published-resource-selector') ?? '';
  let labelSelector: LabelSelector;
  try {
    labelSelector = parseLabelSelector(selector);
  } catch (error) {
    if (!(error instanceof LabelSelectorError)) throw error;
    throw new OptionsError(`--published-resource-selector: ${error.message}`);
  }
  const disabled: SyncAgentOptions['disabledControllers'] = [];
  for (const entry of (values['disabled-controllers'] as string[] | undefined) ?? []) {
    for (const name of entry
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (!(controllerNames as readonly string[]).includes(name)) {
        throw new OptionsError(
          `--disabled-controllers: unknown controller "${name}" (known: ${controllerNames.join(', ')})`,
        );
      }
      if (!disabled.includes(name as (typeof controllerNames)[number]))
        disabled.push(name as (typeof controllerNames)[number]);
    }
  }
  const logFormat = (optionalString(values, 'log-format') ?? 'json').toLowerCase();
  if (logFormat !== 'json' && logFormat !== 'console') {
    throw new OptionsError(
      `--log-format "${String(values['log-format'])}" is not supported (use json or console)`,
    );
  }
  const metricsAddress = address(values, 'metrics-address', '127.0.0.1:8085');
  const healthAddress = address(values, 'health-address', '');

  const options: SyncAgentOptions = {
    kcpKubeconfig,
    namespace,
    agentName,
    publishedResourceSelector: selector,
    publishedResourceLabelSelector: labelSelector,
    enableLeaderElection: values['enable-leader-election'] === true,
    metricsAddress,
    healthAddress,
    disabledControllers: disabled,
    logFormat,
    logDebug: values['log-debug'] === true,
  };
  const kubeconfig = optionalString(values, 'kubeconfig');
  if (kubeconfig) options.kubeconfig = kubeconfig;
  if (sliceRef) options.apiExportEndpointSliceRef = sliceRef;
  if (exportRef) options.apiExportRef = exportRef;
  const hostOverride = optionalString(values, 'kubeconfig-host-override');
  if (hostOverride) options.kubeconfigHostOverride = hostOverride;
  const caOverride = optionalString(values, 'kubeconfig-ca-file-override');
  if (caOverride) options.kubeconfigCaFileOverride = caOverride;
  const sharding = shardingFlags(values);
  if (sharding) options.sharding = sharding;
  return { kind: 'run', options };
}

const shardFlagNames = [
  'shard-identity',
  'shard-buckets',
  'shard-lease-duration',
  'shard-renew-deadline',
  'shard-retry-period',
] as const;

/** The sharding settings, or undefined without `--enable-sharding` (then a `--shard-*` flag is a mistake). */
function shardingFlags(values: FlagValues): ShardingFlags | undefined {
  if (values['enable-sharding'] !== true) {
    const stray = shardFlagNames.find((name) => values[name] !== undefined);
    if (stray) throw new OptionsError(`--${stray} needs --enable-sharding`);
    return undefined;
  }
  const bucketsText = optionalString(values, 'shard-buckets') ?? '64';
  const buckets = Number(bucketsText);
  if (!/^\d+$/.test(bucketsText) || buckets < 1 || buckets > 1000) {
    throw new OptionsError(`--shard-buckets "${bucketsText}" is not a whole number from 1 to 1000`);
  }
  const leaseDurationMs = duration(values, 'shard-lease-duration', '15s');
  const renewDeadlineMs = duration(values, 'shard-renew-deadline', '10s');
  const retryPeriodMs = duration(values, 'shard-retry-period', '2s');
  if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new OptionsError(
      `sharding timings must satisfy --shard-retry-period < --shard-renew-deadline < --shard-lease-duration (got ${formatMs(retryPeriodMs)} < ${formatMs(renewDeadlineMs)} < ${formatMs(leaseDurationMs)})`,
    );
  }
  const identity = optionalString(values, 'shard-identity');
  if (identity !== undefined && !dns1123Subdomain.test(identity)) {
    throw new OptionsError(
      `--shard-identity "${identity}" cannot be part of a Lease name (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)`,
    );
  }
  return {
    ...(identity !== undefined ? { identity } : {}),
    buckets,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
  };
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9.]{0,200}[a-z0-9])?$/;
const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go-style duration flag (`500ms`, `15s`, `1m30s`) in milliseconds. */
function duration(values: FlagValues, name: string, fallback: string): number {
  const text = optionalString(values, name) ?? fallback;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  const total = parts.reduce((sum, [, n, unit]) => sum + Number(n) * (durationUnits[unit ?? ''] ?? 0), 0);
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text || total <= 0) {
    throw new OptionsError(`--${name} "${text}" is not a duration; use e.g. 15s, 500ms or 1m30s`);
  }
  return Math.round(total);
}

const formatMs = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Go-style spellings → what node's parseArgs understands: `-flag` → `--flag`, `--bool=false` → `--no-bool`. */
function normalizeArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === '--' || !arg.startsWith('-') || arg === '-') {
      out.push(arg);
      continue;
    }
    const long = arg.startsWith('--') ? arg : `-${arg}`;
    const eq = long.indexOf('=');
    const name = long.slice(2, eq < 0 ? undefined : eq);
    if (!knownFlags.has(name))
      throw new OptionsError(`unknown flag ${long.slice(0, eq < 0 ? undefined : eq)}`);
    if (booleanFlags.has(name) && eq >= 0) {
      const value = long.slice(eq + 1).toLowerCase();
      if (value === 'true' || value === '1' || value === 't') out.push(`--${name}`);
      else if (value === 'false' || value === '0' || value === 'f') out.push(`--no-${name}`);
      else throw new OptionsError(`--${name} takes true or false, not "${long.slice(eq + 1)}"`);
      continue;
    }
    out.push(long);
  }
  return out;
}

function parseFlags(args: string[]): FlagValues {
  const options = Object.fromEntries(
    flags.map((f) => [f.name, { type: f.type, ...(f.multiple ? { multiple: true } : {}) }]),
  );
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: true,
      allowNegative: true,
    });
    if (positionals.length > 0)
      throw new OptionsError(`unexpected argument "${positionals[0]}" (all settings are --flags)`);
    return values as FlagValues;
  } catch (error) {
    if (error instanceof OptionsError) throw error;
    const code = (error as { code?: string }).code;
    const match = /'(--[^' ]+)/.exec((error as Error).message);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && match)
      throw new OptionsError(`flag ${match[1]} needs a value`);
    throw new OptionsError((error as Error).message);
  }
}

function optionalString(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function required(values: FlagValues, name: string): string {
  const value = optionalString(values, name);
  if (value === undefined) throw new OptionsError(`missing required flag --${name}`);
  if (value.trim() === '') throw new OptionsError(`flag --${name} must not be empty`);
  return value;
}

function address(values: FlagValues, name: string, fallback: string): string {
  const value = optionalString(values, name) ?? fallback;
  if (value === '' || value === '0') return value;
  const match = /^(.*):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65535) {
    throw new OptionsError(
      `--${name} "${value}" is not an address; use host:port (e.g. 127.0.0.1:8085 or :8085), or "0" to disable`,
    );
  }
  return value;
}
