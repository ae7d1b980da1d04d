/**
 * The command table of `scimgate` and its argument parser (node:util parseArgs). Pure: argv in, a parsed command,
 * a help text or a usage error out; nothing here touches the network or the file system.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder in help texts, e.g. `<id>`. */
  value?: string;
  help: string;
  required?: boolean;
}

export interface ArgSpec {
  name: string;
  help: string;
}

export interface CommandSpec {
  /** `group action`, or just `group` for single commands (audit). */
  name: string;
  summary: string;
  /** Longer description shown by --help. */
  description?: string;
  args: ArgSpec[];
  /** Adds `-t, --tenant <id>` (required; default $SCIMGATE_TENANT). */
  tenant?: boolean;
  options: Record<string, OptionSpec>;
  examples: string[];
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: {
    type: 'string',
    value: '<url>',
    help: 'Management API of a deployed stack (SigV4-signed); default: $SCIMGATE_URL, else the local server',
  },
  region: {
    type: 'string',
    value: '<region>',
    help: 'AWS region for SigV4 signing; default: $AWS_REGION, or the one in an execute-api host name',
  },
  json: { type: 'boolean', help: 'Print the raw JSON response on stdout and nothing else' },
  help: { type: 'boolean', short: 'h', help: 'Show help' },
};

const TENANT_OPTION: OptionSpec = {
  type: 'string',
  short: 't',
  value: '<id>',
  help: 'Tenant id (default: $SCIMGATE_TENANT)',
};

const KINDS = ['bearer', 'oauth-client', 'basic', 'gateway'];

const ROLES_HELP =
  'users | users-and-groups | read-only, or a comma list of users:read, users:write, groups:read, groups:write';

const credentialFields: Record<string, OptionSpec> = {
  name: { type: 'string', value: '<name>', help: 'Name shown in listings and reminders' },
  description: { type: 'string', value: '<text>', help: 'Free text' },
  roles: { type: 'string', value: '<roles>', help: ROLES_HELP },
  domains: {
    type: 'string',
    value: '<a.com,b.com>',
    help: "Only users in these e-mail domains are provisioned ('' = any)",
  },
  'idle-days': { type: 'string', value: '<n>', help: 'Days without use before the credential deactivates' },
  'expiry-mails': {
    type: 'string',
    value: 'on|off',
    help: 'Expiry reminder e-mails for this credential (default on)',
  },
};

const expiry: Record<string, OptionSpec> = {
  expires: { type: 'string', value: '<ISO date>', help: 'Expiry instant, e.g. 2027-01-31T00:00:00Z' },
  days: { type: 'string', value: '<n>', help: 'Lifetime in days from now (default: tenant policy)' },
};

const credentialArg: ArgSpec[] = [{ name: 'credential', help: 'Credential id' }];

export const COMMANDS: CommandSpec[] = [
  {
    name: 'tenants list',
    summary: 'List tenants',
    args: [],
    options: {},
    examples: ['scimgate tenants list'],
  },
  {
    name: 'tenants create',
    summary: 'Create a tenant (it gets a "default" SCIM endpoint)',
    args: [{ name: 'id', help: 'Tenant id: lowercase letters, digits and -' }],
    options: {
      name: { type: 'string', value: '<name>', help: 'Display name (default: the id)' },
      'app-url': {
        type: 'string',
        value: '<url>',
        help: 'Application (bookmark) URL given to the IdP with the SCIM URL (https; http only on localhost)',
      },
      set: {
        type: 'string',
        multiple: true,
        value: '<key=value>',
        help: 'Policy setting, repeatable (see "tenants policy --help")',
      },
    },
    examples: ['scimgate tenants create acme --name "Acme Corp" --set maxLifetimeDays=365'],
  },
  {
    name: 'tenants app-url',
    summary: "Set or remove the tenant's application (bookmark) URL (endpoints without their own use it)",
    args: [
      { name: 'id', help: 'Tenant id' },
      { name: 'url', help: 'https URL (http only on 127.0.0.1 or localhost), or off to remove it' },
    ],
    options: {},
    examples: [
      'scimgate tenants app-url acme https://app.acme.com/login',
      'scimgate tenants app-url acme off',
    ],
  },
  {
    name: 'tenants show',
    summary: 'Show a tenant and its policy',
    args: [{ name: 'id', help: 'Tenant id' }],
    options: {},
    examples: ['scimgate tenants show acme'],
  },
  {
    name: 'tenants policy',
    summary: 'Show or change the credential policy of a tenant',
    description:
      'Without --set, prints the policy. Keys: defaultLifetimeDays, maxLifetimeDays (latest expiry, days from now),\n' +
      "maxSecretAgeDays (days from the secret's creation, or off: the default), idleDays, rotationGraceHours,\n" +
      'rotationHardCapHours, accessTokenTtlSeconds, consoleUrl, reminders.recipients (comma list),\n' +
      'reminders.leadDays, reminders.frequency (daily|weekly|monthly), reminders.atExpiry (true|false),\n' +
      'reminders.idleWarningDays.',
    args: [{ name: 'id', help: 'Tenant id' }],
    options: {
      set: { type: 'string', multiple: true, value: '<key=value>', help: 'Change one setting; repeatable' },
    },
    examples: [
      'scimgate tenants policy acme',
      'scimgate tenants policy acme --set maxLifetimeDays=365 --set reminders.recipients=sec@acme.com,it@acme.com',
      'scimgate tenants policy acme --set maxSecretAgeDays=730',
    ],
  },
  {
    name: 'endpoints list',
    summary: 'List the SCIM endpoints of a tenant',
    args: [],
    tenant: true,
    options: {},
    examples: ['scimgate endpoints list -t acme'],
  },
  {
    name: 'endpoints create',
    summary: 'Add a SCIM endpoint (a separate SCIM base URL, e.g. per connected app)',
    args: [{ name: 'id', help: 'Endpoint id: lowercase letters, digits and -' }],
    tenant: true,
    options: {
      name: { type: 'string', value: '<name>', help: 'Display name (default: the id)' },
      'app-url': {
        type: 'string',
        value: '<url>',
        help: "Application (bookmark) URL of this endpoint (default: the tenant's)",
      },
    },
    examples: [
      'scimgate endpoints create hr-app -t acme --name "HR application"',
      'scimgate endpoints create hr-app -t acme --app-url https://hr.acme.com/sso',
    ],
  },
  {
    name: 'endpoints app-url',
    summary: "Set or remove an endpoint's application (bookmark) URL",
    args: [
      { name: 'id', help: 'Endpoint id' },
      { name: 'url', help: "https URL (http only on 127.0.0.1 or localhost), or off for the tenant's" },
    ],
    tenant: true,
    options: {},
    examples: ['scimgate endpoints app-url hr-app https://hr.acme.com/sso -t acme'],
  },
  {
    name: 'endpoints delete',
    summary: 'Delete a SCIM endpoint (refused while gateway credentials use it)',
    args: [{ name: 'id', help: 'Endpoint id' }],
    tenant: true,
    options: {},
    examples: ['scimgate endpoints delete hr-app -t acme'],
  },
  {
    name: 'admins list',
    summary: 'List the admins of a tenant',
    args: [],
    tenant: true,
    options: {},
    examples: ['scimgate admins list -t acme'],
  },
  {
    name: 'admins add',
    summary: 'Add an admin (credentials can be bound to an admin)',
    args: [{ name: 'email', help: 'E-mail address' }],
    tenant: true,
    options: {
      id: { type: 'string', value: '<id>', help: 'Admin id (default: generated)' },
      role: { type: 'string', value: '<role>', help: 'Console role: owner | admin | viewer (default admin)' },
    },
    examples: ['scimgate admins add alice@acme.com -t acme --id alice --role owner'],
  },
  {
    name: 'admins deactivate',
    summary: 'Deactivate an admin: credentials bound to them stop working',
    args: [{ name: 'admin', help: 'Admin id' }],
    tenant: true,
    options: {},
    examples: ['scimgate admins deactivate alice -t acme'],
  },
  {
    name: 'admins remove',
    summary: 'Remove an admin: credentials bound to them stop working',
    args: [{ name: 'admin', help: 'Admin id' }],
    tenant: true,
    options: {},
    examples: ['scimgate admins remove alice -t acme'],
  },
  {
    name: 'admins credentials',
    summary: 'List the credentials bound to an admin (hand them over before the admin leaves)',
    args: [{ name: 'admin', help: 'Admin id' }],
    tenant: true,
    options: {},
    examples: ['scimgate admins credentials alice -t acme'],
  },
  {
    name: 'setup-links create',
    summary: 'Create a single-use link that signs an admin in to the console (shown once)',
    description:
      'The link names one admin membership (by e-mail, created when new, or by --admin id) and sets its console ' +
      'role. It is valid for --minutes (default 30) and works once; hand it to the admin over a trusted channel.',
    args: [],
    tenant: true,
    options: {
      email: { type: 'string', value: '<address>', help: "The admin's e-mail address" },
      admin: { type: 'string', value: '<id>', help: 'An existing admin id (instead of --email)' },
      role: {
        type: 'string',
        value: '<role>',
        help: 'owner | admin | viewer (default: unchanged, or admin)',
      },
      minutes: { type: 'string', value: '<n>', help: 'Minutes the link stays valid (default 30)' },
    },
    examples: [
      'scimgate setup-links create -t acme --email it@acme.com --role owner',
      'scimgate setup-links create -t acme --admin alice --minutes 10',
    ],
  },
  {
    name: 'credentials list',
    summary: 'List credentials: state, expiry, last use; never secrets',
    args: [],
    tenant: true,
    options: {},
    examples: ['scimgate credentials list -t acme', 'scimgate credentials list -t acme --json'],
  },
  {
    name: 'credentials create',
    summary: 'Issue a credential; prints its secret once, with every field the IdP form asks for',
    args: [],
    tenant: true,
    options: {
      kind: { type: 'string', value: '<kind>', help: KINDS.join(' | '), required: true },
      ...credentialFields,
      name: { ...(credentialFields.name as OptionSpec), required: true },
      endpoint: {
        type: 'string',
        value: '<id>',
        help: 'Only this SCIM endpoint (required for gateway; default: every endpoint)',
      },
      ...expiry,
      admin: {
        type: 'string',
        value: '<id>',
        help: 'Bind to this admin: the credential stops working when the admin is deactivated or removed',
      },
      'token-ttl': {
        type: 'string',
        value: '<seconds>',
        help: 'oauth-client: access token lifetime, 3600-21600 (default: tenant policy)',
      },
      'remind-to': {
        type: 'string',
        value: '<a@x.com,…>',
        help: 'Expiry reminder recipients (default: tenant policy)',
      },
      'remind-days': { type: 'string', value: '<n>', help: 'First reminder this many days before expiry' },
      'remind-every': { type: 'string', value: '<freq>', help: 'daily | weekly | monthly until expiry' },
    },
    examples: [
      'scimgate credentials create -t acme --kind bearer --name "Okta production" --roles users --days 90',
      'scimgate credentials create -t acme --kind oauth-client --name "Entra ID" --domains acme.com',
      'scimgate credentials create -t acme --kind gateway --name "HR app" --endpoint hr-app --admin alice',
    ],
  },
  {
    name: 'credentials show',
    summary: 'Show one credential (secret hints only)',
    args: credentialArg,
    tenant: true,
    options: {},
    examples: ['scimgate credentials show 3f2c… -t acme'],
  },
  {
    name: 'credentials update',
    summary: 'Change name, description, roles, domains, idle window or expiry e-mails',
    args: credentialArg,
    tenant: true,
    options: { ...credentialFields },
    examples: [
      'scimgate credentials update 3f2c… -t acme --roles read-only --domains acme.com,acme.de',
      'scimgate credentials update 3f2c… -t acme --expiry-mails off',
    ],
  },
  {
    name: 'credentials extend',
    summary: 'Move the expiry later without changing the secret (bounded by the tenant policy)',
    args: credentialArg,
    tenant: true,
    options: { ...expiry },
    examples: ['scimgate credentials extend 3f2c… -t acme --days 90'],
  },
  {
    name: 'credentials rotate',
    summary: 'Issue a new secret; the old one keeps working for the grace period unless --compromised',
    args: credentialArg,
    tenant: true,
    options: {
      compromised: { type: 'boolean', help: 'The old secret stops working now (and its access tokens)' },
    },
    examples: [
      'scimgate credentials rotate 3f2c… -t acme',
      'scimgate credentials rotate 3f2c… -t acme --compromised',
    ],
  },
  {
    name: 'credentials revoke',
    summary: 'Stop a credential now (reversible with reactivate)',
    args: credentialArg,
    tenant: true,
    options: {},
    examples: ['scimgate credentials revoke 3f2c… -t acme'],
  },
  {
    name: 'credentials reactivate',
    summary: 'Reactivate a revoked or idle-deactivated credential',
    args: credentialArg,
    tenant: true,
    options: {},
    examples: ['scimgate credentials reactivate 3f2c… -t acme'],
  },
  {
    name: 'credentials rebind',
    summary: 'Bind a credential to another admin, or unbind it',
    args: credentialArg,
    tenant: true,
    options: {
      admin: { type: 'string', value: '<id>', help: 'The admin the credential is bound to from now on' },
      unbind: { type: 'boolean', help: 'Bind to no admin' },
    },
    examples: [
      'scimgate credentials rebind 3f2c… -t acme --admin bob',
      'scimgate credentials rebind 3f2c… -t acme --unbind',
    ],
  },
  {
    name: 'credentials delete',
    summary: 'Delete a credential for good',
    args: credentialArg,
    tenant: true,
    options: {},
    examples: ['scimgate credentials delete 3f2c… -t acme'],
  },
  {
    name: 'audit',
    summary: 'Show the audit trail of a tenant or one credential, newest first',
    args: [],
    tenant: true,
    options: {
      credential: { type: 'string', value: '<id>', help: 'Only events of this credential' },
      limit: { type: 'string', value: '<n>', help: 'Events per page, 1-200 (default 50)' },
      before: {
        type: 'string',
        value: '<cursor>',
        help: 'Next page: the cursor printed by the previous one',
      },
    },
    examples: ['scimgate audit -t acme --limit 20', 'scimgate audit -t acme --credential 3f2c…'],
  },
  {
    name: 'events tail',
    summary: 'Follow the change events of a tenant (users, groups, credentials) as they happen',
    description:
      'Polls GET /tenants/{tenant}/events with the cursor of the previous page (docs/events.md). Starts at the end ' +
      'of the log unless --from-start or --after is given; stops on Ctrl-C, or with --once when it is up to date.',
    args: [],
    tenant: true,
    options: {
      'from-start': { type: 'boolean', help: 'Print the retained history first (30 days)' },
      after: { type: 'string', value: '<cursor>', help: 'Continue after this cursor (printed by --once)' },
      once: {
        type: 'boolean',
        help: 'Exit once every event so far is printed (prints the cursor on stderr)',
      },
      interval: {
        type: 'string',
        value: '<ms>',
        help: 'Pause between polls when nothing is new (default 1000)',
      },
    },
    examples: [
      'scimgate events tail -t acme',
      'scimgate events tail -t acme --from-start --once --json',
      'scimgate events tail -t acme --after 1042',
    ],
  },
  {
    name: 'jobs run',
    summary: 'Run a scheduled job now: reminders (expiry mails) or idle (deactivate idle credentials)',
    args: [{ name: 'job', help: 'reminders | idle' }],
    options: {
      now: {
        type: 'string',
        value: '<ISO date>',
        help: 'Run as if it were this instant (testing reminders)',
      },
    },
    examples: ['scimgate jobs run reminders', 'scimgate jobs run idle --now 2027-01-01T00:00:00Z'],
  },
];

const BY_NAME = new Map(COMMANDS.map((c) => [c.name, c]));
const GROUPS = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0] as string))];

function isGroupWithActions(group: string): boolean {
  return COMMANDS.some((c) => c.name.startsWith(`${group} `));
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface ParsedCommand {
  kind: 'command';
  spec: CommandSpec;
  /** Positional arguments by ArgSpec name. */
  args: Record<string, string>;
  /** Command options (not the global ones); `tenant` is filled from $SCIMGATE_TENANT when absent. */
  options: OptionValues;
  global: { url?: string; region?: string; json: boolean };
}

export type ParseResult =
  ParsedCommand | { kind: 'help'; text: string } | { kind: 'usage'; message: string; help: string };

// ---------------------------------------------------------------------------------------------------- help texts

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, o.help + (o.required ? ' (required)' : '')] as const;
  });
  const w = Math.max(...rows.map(([f]) => f.length));
  return rows.map(([f, h]) => `  ${f.padEnd(w)}  ${h}`);
}

function usageLine(spec: CommandSpec): string {
  const parts = [`scimgate ${spec.name}`, ...spec.args.map((a) => `<${a.name}>`)];
  if (spec.tenant) parts.push('--tenant <id>');
  for (const [name, o] of Object.entries(spec.options))
    if (o.required) parts.push(`--${name} ${o.value ?? ''}`.trim());
  const optional = Object.values(spec.options).some((o) => !o.required);
  if (optional) parts.push('[options]');
  return parts.join(' ');
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, '', spec.summary + '.'];
  if (spec.description) lines.push('', spec.description);
  if (spec.args.length > 0) {
    const w = Math.max(...spec.args.map((a) => a.name.length + 2));
    lines.push('', 'Arguments:', ...spec.args.map((a) => `  ${`<${a.name}>`.padEnd(w)}  ${a.help}`));
  }
  const options = { ...(spec.tenant ? { tenant: TENANT_OPTION } : {}), ...spec.options };
  if (Object.keys(options).length > 0) lines.push('', 'Options:', ...optionLines(options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  if (spec.examples.length > 0) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

function commandList(specs: CommandSpec[]): string[] {
  const w = Math.max(...specs.map((c) => c.name.length));
  return specs.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`);
}

export function groupHelp(group: string): string {
  const specs = COMMANDS.filter((c) => c.name.startsWith(`${group} `));
  return (
    [
      `Usage: scimgate ${group} <command> [options]`,
      '',
      'Commands:',
      ...commandList(specs),
      '',
      `Run "scimgate ${group} <command> --help" for the options of one command.`,
    ].join('\n') + '\n'
  );
}

export function mainHelp(): string {
  return (
    [
      'scimgate: manage tenants, SCIM endpoints, admins and credentials of a scimgate service.',
      '',
      'Usage: scimgate <command> [options]',
      '',
      'Commands:',
      ...commandList(COMMANDS),
      '',
      'Global options:',
      ...optionLines(GLOBAL_OPTIONS),
      '',
      'Target: by default the local server (npm start), found through .scimgate/local.json',
      '($SCIMGATE_DATA_DIR changes the folder). --url or $SCIMGATE_URL targets a deployed stack; requests are',
      'signed with SigV4 using the standard AWS credential chain.',
      '',
      'Run "scimgate <command> --help" for the options of one command.',
    ].join('\n') + '\n'
  );
}

// ---------------------------------------------------------------------------------------------------- parsing

const GLOBAL_VALUE_FLAGS = new Set(['--url', '--region']);
const GLOBAL_BOOLEAN_FLAGS = new Set(['--json', '--help', '-h']);

/**
 * Separates the command words (`credentials create`) from everything else. Global options may come before the
 * command words; command options come after them.
 */
function splitWords(argv: string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (GLOBAL_VALUE_FLAGS.has(token)) {
        rest.push(token);
        if (i + 1 < argv.length) rest.push(argv[++i] as string);
        continue;
      }
      if (GLOBAL_BOOLEAN_FLAGS.has(token) || /^--(url|region)=/.test(token)) {
        rest.push(token);
        continue;
      }
      break; // a command option: the command words are complete
    }
    const needed = words.length === 0 ? 1 : isGroupWithActions(words[0] as string) ? 2 : 1;
    if (words.length >= needed) break;
    words.push(token);
  }
  return { words, rest: [...rest, ...argv.slice(i)] };
}

const PARSE_ERRORS = new Set([
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
]);

/** Parses a command line (without `node` and the script). `env` supplies $SCIMGATE_TENANT. */
export function parseCommandLine(argv: string[], env: Record<string, string | undefined> = {}): ParseResult {
  const { words, rest } = splitWords(argv);
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  if (words.length === 0) {
    if (wantsHelp) return { kind: 'help', text: mainHelp() };
    return { kind: 'usage', message: 'missing command', help: mainHelp() };
  }
  const [group, action] = words as [string, string | undefined];
  if (group === 'help') {
    // `scimgate help [group [action]]`
    const target = rest.filter((t) => !t.startsWith('-'));
    return parseCommandLine([...target, '--help'], env);
  }
  if (!GROUPS.includes(group)) {
    return { kind: 'usage', message: `unknown command '${group}'`, help: mainHelp() };
  }
  let spec = BY_NAME.get(group);
  if (!spec) {
    if (action === undefined) {
      if (wantsHelp) return { kind: 'help', text: groupHelp(group) };
      return { kind: 'usage', message: `missing ${group} command`, help: groupHelp(group) };
    }
    spec = BY_NAME.get(`${group} ${action}`);
    if (!spec)
      return { kind: 'usage', message: `unknown command '${group} ${action}'`, help: groupHelp(group) };
  }
  if (wantsHelp) return { kind: 'help', text: commandHelp(spec) };

  const help = commandHelp(spec);
  const declared: Record<string, OptionSpec> = {
    ...GLOBAL_OPTIONS,
    ...(spec.tenant ? { tenant: TENANT_OPTION } : {}),
    ...spec.options,
  };
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: Object.fromEntries(
        Object.entries(declared).map(([name, o]) => [
          name,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
    }) as { values: OptionValues; positionals: string[] };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code && PARSE_ERRORS.has(code)) {
      return {
        kind: 'usage',
        message: (e as Error).message.replace(/\. To specify a positional.*$/s, ''),
        help,
      };
    }
    throw e;
  }

  const { values, positionals } = parsed;
  if (positionals.length > spec.args.length) {
    return { kind: 'usage', message: `unexpected argument '${positionals[spec.args.length]}'`, help };
  }
  const missingArg = spec.args[positionals.length];
  if (missingArg) return { kind: 'usage', message: `missing <${missingArg.name}>`, help };
  const args = Object.fromEntries(spec.args.map((a, i) => [a.name, positionals[i] as string]));

  const options: OptionValues = {};
  for (const name of Object.keys(declared)) {
    if (name in GLOBAL_OPTIONS) continue;
    options[name] = values[name];
  }
  if (spec.tenant) {
    const tenant = options.tenant ?? env.SCIMGATE_TENANT;
    if (typeof tenant !== 'string' || tenant === '') {
      return { kind: 'usage', message: 'missing --tenant <id> (or set SCIMGATE_TENANT)', help };
    }
    options.tenant = tenant;
  }
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.required && (options[name] === undefined || options[name] === '')) {
      return { kind: 'usage', message: `missing --${name} ${o.value ?? ''}`.trimEnd(), help };
    }
  }
  const global: ParsedCommand['global'] = { json: values.json === true };
  if (typeof values.url === 'string') global.url = values.url;
  if (typeof values.region === 'string') global.region = values.region;
  return { kind: 'command', spec, args, options, global };
}
