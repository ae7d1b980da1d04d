import { COMMANDS, commandHelp, mainHelp, parseCommandLine, type ParsedCommand } from '../../../bin/spec';

function command(argv: string[], env: Record<string, string> = {}): ParsedCommand {
  const r = parseCommandLine(argv, env);
  if (r.kind !== 'command') throw new Error(`expected a command, got ${r.kind}: ${JSON.stringify(r)}`);
  return r;
}

function usage(argv: string[], env: Record<string, string> = {}): string {
  const r = parseCommandLine(argv, env);
  if (r.kind !== 'usage') throw new Error(`expected a usage error, got ${r.kind}`);
  return r.message;
}

describe('parseCommandLine', () => {
  it('reads the command words, positionals and options', () => {
    const c = command([
      'credentials',
      'create',
      '--tenant',
      'acme',
      '--kind',
      'bearer',
      '--name',
      'Okta prod',
    ]);
    expect(c.spec.name).toBe('credentials create');
    expect(c.options).toMatchObject({ tenant: 'acme', kind: 'bearer', name: 'Okta prod' });
    expect(c.global).toEqual({ json: false });
  });

  it('accepts positionals before or after options, and -t for --tenant', () => {
    expect(command(['credentials', 'show', 'c1', '-t', 'acme']).args).toEqual({ credential: 'c1' });
    expect(command(['credentials', 'show', '-t', 'acme', 'c1']).args).toEqual({ credential: 'c1' });
    expect(command(['tenants', 'create', '--name', 'Acme', 'acme']).args).toEqual({ id: 'acme' });
  });

  it('accepts global options before the command and anywhere after it', () => {
    const before = command(['--url', 'https://x.example/admin/v1', '--json', 'tenants', 'list']);
    expect(before.spec.name).toBe('tenants list');
    expect(before.global).toEqual({ url: 'https://x.example/admin/v1', json: true });
    const after = command(['tenants', 'list', '--region', 'eu-west-1', '--url=https://y.example']);
    expect(after.global).toEqual({ url: 'https://y.example', region: 'eu-west-1', json: false });
  });

  it('collects repeatable options', () => {
    const c = command(['tenants', 'policy', 'acme', '--set', 'idleDays=10', '--set', 'maxLifetimeDays=90']);
    expect(c.options.set).toEqual(['idleDays=10', 'maxLifetimeDays=90']);
  });

  it('takes the tenant from SCIMGATE_TENANT when --tenant is absent, and prefers --tenant', () => {
    expect(command(['credentials', 'list'], { SCIMGATE_TENANT: 'dev' }).options.tenant).toBe('dev');
    expect(command(['credentials', 'list', '-t', 'acme'], { SCIMGATE_TENANT: 'dev' }).options.tenant).toBe(
      'acme',
    );
  });

  it('treats single-word commands (audit) as complete', () => {
    const c = command(['audit', '-t', 'acme', '--credential', 'c1', '--limit', '5']);
    expect(c.spec.name).toBe('audit');
    expect(c.options).toMatchObject({ credential: 'c1', limit: '5' });
  });

  it.each([
    [['credentials', 'list'], 'missing --tenant <id> (or set SCIMGATE_TENANT)'],
    [['credentials', 'create', '-t', 'acme', '--name', 'x'], 'missing --kind <kind>'],
    [['credentials', 'create', '-t', 'acme', '--kind', 'bearer'], 'missing --name <name>'],
    [['credentials', 'show', '-t', 'acme'], 'missing <credential>'],
    [['credentials', 'show', 'a', 'b', '-t', 'acme'], "unexpected argument 'b'"],
    [['tenants'], 'missing tenants command'],
    [['tenants', 'explode'], "unknown command 'tenants explode'"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [[], 'missing command'],
  ])('reports %j as a usage error', (argv, message) => {
    expect(usage(argv)).toBe(message);
  });

  it('reports unknown options and missing option values as usage errors', () => {
    expect(usage(['tenants', 'list', '--frob'])).toMatch(/Unknown option '--frob'/);
    expect(usage(['credentials', 'list', '--tenant'])).toMatch(/--tenant/);
    expect(usage(['credentials', 'rotate', 'c1', '-t', 'a', '--compromised=yes'])).toMatch(/compromised/);
  });

  it('includes the command help in usage errors', () => {
    const r = parseCommandLine(['credentials', 'create', '-t', 'acme']);
    expect(r.kind).toBe('usage');
    expect(r.kind === 'usage' && r.help).toContain('Usage: scimgate credentials create');
  });

  it('answers --help at every level, even with other arguments missing', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', text: mainHelp() });
    const group = parseCommandLine(['credentials', '-h']);
    expect(group.kind === 'help' && group.text).toContain('credentials rotate');
    const create = COMMANDS.find((c) => c.name === 'credentials create');
    expect(parseCommandLine(['credentials', 'create', '--help'])).toEqual({
      kind: 'help',
      text: commandHelp(create!),
    });
    expect(parseCommandLine(['help', 'credentials', 'create'])).toEqual({
      kind: 'help',
      text: commandHelp(create!),
    });
  });

  it('documents every option of every command in its help text', () => {
    for (const spec of COMMANDS) {
      const text = commandHelp(spec);
      expect(text).toContain(`Usage: scimgate ${spec.name}`);
      for (const name of Object.keys(spec.options)) expect(text).toContain(`--${name}`);
      expect(text.includes('-t, --tenant <id>')).toBe(spec.tenant === true);
      expect(spec.examples.every((e) => e.startsWith(`scimgate ${spec.name}`))).toBe(true);
    }
  });
});
