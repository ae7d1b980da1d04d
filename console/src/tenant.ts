/** Integrations, setup guides with Test connection, activity, and the owner's policy and admins pages. */
import {
  call,
  type Admin,
  type AuditEvent,
  type Credential,
  type Issued,
  type Policy,
  type ScimRequest,
  type Session,
  type TenantInfo,
} from './api';
import { showOnce } from './credentials';
import { announce, busy, confirmDialog, field, formatDate, h, table, uid, valueRow } from './ui';
import { EVENT_WORDS, idpFromUserAgent } from './words';

/**
 * Sets or (empty) removes an application (bookmark) URL through the console API. The server validates it with the
 * management API's schema; its refusal is shown next to the field, in its words.
 */
function applicationUrlForm(options: {
  label: string;
  help: string;
  current: string | undefined;
  path: string;
  saved: string;
  reload: () => void;
}): HTMLFormElement {
  const input = h('input', {
    type: 'url',
    inputmode: 'url',
    autocomplete: 'off',
    placeholder: 'https://app.example.com/sign-in',
    value: options.current ?? '',
  });
  const error = h('p', { class: 'error', role: 'alert', id: uid('url-error') });
  const wrapper = field(options.label, input, options.help);
  // The refusal, when there is one, describes the field too.
  input.setAttribute(
    'aria-describedby',
    `${input.getAttribute('aria-describedby') ?? ''} ${error.id}`.trim(),
  );
  const form = h(
    'form',
    { novalidate: true },
    wrapper,
    error,
    h(
      'div',
      { class: 'actions left' },
      h('button', { type: 'submit', class: 'secondary' }, 'Save application URL'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    const value = input.value.trim();
    void busy(call('PATCH', options.path, { applicationUrl: value === '' ? null : value }))
      .then(() => {
        announce(value === '' ? `${options.saved} removed.` : `${options.saved} saved.`);
        options.reload();
      })
      .catch((err: Error) => {
        error.textContent = `Not saved: ${err.message}`;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      });
  });
  return form;
}

export async function integrationsView(
  main: HTMLElement,
  session: Session,
  focus: string | undefined,
  reload: () => void,
) {
  const [tenant, { credentials }] = await busy(
    Promise.all([
      call<TenantInfo>('GET', '/tenant'),
      call<{ credentials: Credential[] }>('GET', '/credentials'),
    ]),
  );
  main.append(
    h('h1', {}, 'Integrations'),
    h(
      'p',
      {},
      'Each SCIM endpoint is one connected service. Give your identity provider its SCIM URL and a token.',
    ),
  );
  for (const e of tenant.endpoints) {
    const token = credentials.find(
      (c) => c.kind === 'gateway' && c.endpoints[0] === e.id && c.state !== 'revoked',
    );
    const headingId = `endpoint-${e.id}`;
    const generate = h(
      'button',
      {
        type: 'button',
        class: 'primary',
        onclick: () =>
          void (async () => {
            if (token) {
              const ok = await confirmDialog({
                title: `Generate a new token for ${e.name}?`,
                body: [
                  'The current token stops working at once: provisioning fails until you paste the new token into your identity provider.',
                ],
                confirm: 'Generate new token',
                danger: true,
              });
              if (!ok) return;
            }
            try {
              const issued = await busy(
                call<Issued>('POST', `/endpoints/${encodeURIComponent(e.id)}/token`, {}),
              );
              await showOnce(issued, `Integration token for ${e.name}`);
              reload();
            } catch (err) {
              announce((err as Error).message, 'error');
            }
          })(),
      },
      token ? 'Generate new token' : 'Generate token',
    );
    const section = h(
      'section',
      { 'aria-labelledby': headingId, class: 'card' },
      h('h2', { id: headingId }, `${e.name} (${e.id})`),
      valueRow('SCIM URL', e.scimBaseUrl),
      valueRow('Bookmark URL', e.bookmarkUrl),
      h(
        'p',
        {},
        token
          ? `Integration token: ${token.secrets[0]?.hint ?? ''}, created ${formatDate(token.secretCreatedAt)}.`
          : 'No integration token yet.',
      ),
      session.admin.role !== 'viewer' ? generate : '',
      session.admin.role !== 'viewer'
        ? applicationUrlForm({
            label: `Application URL of ${e.id} (optional)`,
            help: "The app's sign-in address for this endpoint's users. Empty: the tenant's application URL applies.",
            current: e.applicationUrl,
            path: `/endpoints/${encodeURIComponent(e.id)}`,
            saved: `Application URL of ${e.id}`,
            reload,
          })
        : '',
    );
    main.append(section);
    if (focus === e.id) setTimeout(() => section.querySelector('h2')?.scrollIntoView(), 0);
  }
  const tenantUrlId = 'tenant-application-url';
  const tenantCard = h(
    'section',
    { 'aria-labelledby': tenantUrlId, class: 'card' },
    h('h2', { id: tenantUrlId }, "The tenant's application (bookmark) URL"),
    h(
      'p',
      {},
      'Identity providers show it next to the SCIM URL, so that people can open your app. It applies to every endpoint without its own.',
    ),
    session.admin.role === 'owner'
      ? applicationUrlForm({
          label: 'Application URL of the tenant (optional)',
          help: "An https address, e.g. https://app.example.com/sign-in. Empty: each endpoint gives this console's page of it.",
          current: tenant.applicationUrl,
          path: '/tenant',
          saved: 'Application URL',
          reload,
        })
      : h(
          'p',
          {},
          tenant.applicationUrl
            ? `The tenant's application URL is ${tenant.applicationUrl}. Only owners can change it.`
            : 'The tenant has no application URL. Only owners can set it.',
        ),
  );
  main.append(tenantCard);
  if (session.admin.role !== 'viewer') {
    const id = h('input', { type: 'text', required: true, pattern: '[a-z0-9][a-z0-9-]{0,62}' });
    const name = h('input', { type: 'text' });
    const appUrl = h('input', { type: 'url', placeholder: 'https://app.example.com/sign-in' });
    const form = h(
      'form',
      { class: 'card' },
      h('h2', {}, 'Add an endpoint'),
      field('Endpoint id', id, 'Lowercase letters, digits and -, e.g. hr-app.'),
      field('Name', name),
      field(
        'Application URL (optional)',
        appUrl,
        "The app's sign-in address, given to the identity provider as the bookmark URL. Empty: the tenant's, or this console.",
      ),
      h(
        'div',
        { class: 'actions left' },
        h('button', { type: 'submit', class: 'secondary' }, 'Add endpoint'),
      ),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void busy(
        call('POST', '/endpoints', {
          id: id.value.trim(),
          ...(name.value.trim() ? { name: name.value.trim() } : {}),
          ...(appUrl.value.trim() ? { applicationUrl: appUrl.value.trim() } : {}),
        }),
      )
        .then(() => {
          announce(`Endpoint ${id.value} added.`);
          reload();
        })
        .catch((err: Error) => announce(err.message, 'error'));
    });
    main.append(form);
  }
}

interface Guide {
  id: string;
  title: string;
  auth: 'bearer' | 'oauth' | 'basic';
  steps: (t: TenantInfo, endpoint: TenantInfo['endpoints'][number]) => (string | HTMLElement)[];
}

const GUIDES: Guide[] = [
  {
    id: 'entra-oauth',
    title: 'Microsoft Entra ID (OAuth2 client credentials)',
    auth: 'oauth',
    steps: (t, e) => [
      'Create a credential of kind "SCIM administrator (OAuth client)" here and keep its client secret.',
      'In Entra: Enterprise applications → your app → Provisioning → Provisioning Mode: Automatic.',
      'Admin Credentials → Authentication Method: OAuth2 client credentials grant.',
      valueRow('Tenant URL', e.scimBaseUrl),
      valueRow('Token Endpoint', t.tokenEndpoint),
      'Client Identifier and Client Secret: the values of the credential. Then Test Connection and Save.',
    ],
  },
  {
    id: 'entra-token',
    title: 'Microsoft Entra ID (secret token)',
    auth: 'bearer',
    steps: (_t, e) => [
      'Create a credential of kind "SCIM token" here.',
      'In Entra: Enterprise applications → your app → Provisioning → Provisioning Mode: Automatic; Authentication Method: Bearer authentication.',
      valueRow('Tenant URL', e.scimBaseUrl),
      'Secret Token: the token of the credential. Then Test Connection and Save.',
    ],
  },
  {
    id: 'okta',
    title: 'Okta',
    auth: 'bearer',
    steps: (_t, e) => [
      'Create a credential of kind "SCIM token" here.',
      'In Okta: Applications → your app → General → App Settings: enable SCIM provisioning; then Provisioning → Integration.',
      valueRow('SCIM connector base URL', e.scimBaseUrl),
      'Unique identifier field for users: userName. Supported provisioning actions: import, push new users, push profile updates, push groups.',
      'Authentication Mode: HTTP Header; Authorization: Bearer and the token. Then Test Connector Configuration.',
    ],
  },
  {
    id: 'onelogin',
    title: 'OneLogin',
    auth: 'bearer',
    steps: (_t, e) => [
      'Create a credential of kind "SCIM token" here.',
      'In OneLogin: Applications → your SCIM app (SCIM Provisioner with SAML, SCIM v2 Enterprise) → Configuration.',
      valueRow('SCIM Base URL', e.scimBaseUrl),
      'SCIM Bearer Token: the token. Then Enable the API connection.',
    ],
  },
  {
    id: 'jumpcloud',
    title: 'JumpCloud',
    auth: 'bearer',
    steps: (_t, e) => [
      'Create a credential of kind "SCIM token" here.',
      'In JumpCloud: SSO Applications → your app → Identity Management → Configuration settings (SCIM 2.0).',
      valueRow('Base URL', e.scimBaseUrl),
      'Token Key: the token. Test Email: an address in an allowed domain. Then Test Connection and Activate.',
    ],
  },
  {
    id: 'ping',
    title: 'Ping Identity (PingOne)',
    auth: 'bearer',
    steps: (_t, e) => [
      'Create a credential of kind "SCIM token" here.',
      'In PingOne: Integrations → Provisioning → New Connection → Identity Store → SCIM Outbound.',
      valueRow('SCIM BASE URL', e.scimBaseUrl),
      'Authentication Method: OAuth 2 Bearer Token; paste the token. USERS RESOURCE: /Users, GROUPS RESOURCE: /Groups.',
    ],
  },
];

export async function guidesView(main: HTMLElement, guideId: string | undefined): Promise<void> {
  const tenant = await busy(call<TenantInfo>('GET', '/tenant'));
  main.append(h('h1', {}, 'Setup guides'));
  const guide = GUIDES.find((g) => g.id === guideId);
  if (!guide) {
    main.append(
      h(
        'p',
        {},
        'Pick your identity provider: each guide shows the values its form asks for, filled in for this tenant.',
      ),
      h(
        'ul',
        { class: 'links' },
        GUIDES.map((g) => h('li', {}, h('a', { href: `#/guides/${g.id}` }, g.title))),
      ),
    );
    return;
  }
  const endpointSelect = h(
    'select',
    {},
    tenant.endpoints.map((e) => h('option', { value: e.id }, `${e.name} (${e.id})`)),
  );
  const stepsBox = h('ol', { class: 'steps' });
  const render = () => {
    const e = tenant.endpoints.find((x) => x.id === endpointSelect.value) ?? tenant.endpoints[0]!;
    stepsBox.replaceChildren(...guide.steps(tenant, e).map((s) => h('li', {}, s)));
  };
  endpointSelect.addEventListener('change', render);
  render();

  // Test connection: the request Entra makes, with values the admin pastes (held in this form only).
  const inputs: Record<string, HTMLInputElement> = {};
  const secretInput = (label: string, key: string, secret: boolean) => {
    const input = h('input', { type: secret ? 'password' : 'text', autocomplete: 'off' });
    inputs[key] = input;
    return field(label, input);
  };
  const authFields =
    guide.auth === 'oauth'
      ? [secretInput('Client ID', 'clientId', false), secretInput('Client secret', 'clientSecret', true)]
      : guide.auth === 'basic'
        ? [secretInput('Username', 'username', false), secretInput('Password', 'password', true)]
        : [secretInput('Token', 'token', true)];
  const outcome = h('div', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
  const testButton = h('button', { type: 'submit', class: 'primary' }, 'Test connection');
  const form = h(
    'form',
    { class: 'card' },
    h('h2', {}, 'Test connection'),
    h(
      'p',
      {},
      'Makes the request Microsoft Entra ID makes when you click its Test Connection: a search for a user that does not exist.',
    ),
    ...authFields,
    h('div', { class: 'actions left' }, testButton),
    outcome,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const auth: Record<string, string> = { type: guide.auth };
    for (const [k, input] of Object.entries(inputs)) auth[k] = input.value.trim();
    testButton.disabled = true;
    outcome.textContent = 'Testing…';
    void busy(
      call<{ ok: boolean; summary: string; steps: { request: string; status: number; outcome: string }[] }>(
        'POST',
        '/test-connection',
        { endpointId: endpointSelect.value, auth },
      ),
    )
      .then((r) => {
        outcome.className = `outcome ${r.ok ? 'ok' : 'error'}`;
        outcome.replaceChildren(
          h('p', {}, h('strong', {}, r.summary)),
          h(
            'ul',
            {},
            r.steps.map((s) => h('li', {}, `${s.request} → ${s.status}: ${s.outcome}`)),
          ),
        );
      })
      .catch((err: Error) => {
        outcome.className = 'outcome error';
        outcome.textContent = err.message;
      })
      .finally(() => {
        testButton.disabled = false;
      });
  });
  main.append(
    h('p', {}, h('a', { href: '#/guides' }, '← All guides')),
    h('h2', {}, guide.title),
    field('SCIM endpoint', endpointSelect),
    stepsBox,
    form,
  );
}

/** Words for a SCIM status, so that a row reads without knowing HTTP. */
function statusWords(status: number): string {
  if (status < 300) return `${status} OK`;
  if (status === 401) return '401 not signed in';
  if (status === 403) return '403 not allowed';
  if (status === 404) return '404 not found';
  if (status === 409) return '409 already exists';
  if (status === 429) return '429 too many requests';
  if (status >= 500) return `${status} service problem`;
  return `${status} refused`;
}

/** The recent SCIM requests of one credential, picked from a list (newest first, the last 7 days, at most 50). */
async function recentRequests(main: HTMLElement): Promise<void> {
  const { credentials } = await busy(call<{ credentials: Credential[] }>('GET', '/credentials'));
  main.append(
    h('h2', {}, 'Recent SCIM requests'),
    h(
      'p',
      {},
      'What each identity provider asked for, per credential: the last 50 requests of the past 7 days. Paths only; filters and bodies are never kept.',
    ),
  );
  if (credentials.length === 0) {
    main.append(h('p', { class: 'empty' }, 'No credentials yet, so no requests.'));
    return;
  }
  const byUse = [...credentials].sort((a, b) => (b.lastUsedAt ?? '').localeCompare(a.lastUsedAt ?? ''));
  const select = h(
    'select',
    { name: 'requestsCredential' },
    ...byUse.map((c) => h('option', { value: c.id }, c.name)),
  );
  const wrap = h('div', { class: 'table-wrap' });
  const load = async () => {
    const chosen = byUse.find((c) => c.id === select.value) ?? byUse[0]!;
    const { requests } = await busy(
      call<{ requests: ScimRequest[] }>('GET', `/credentials/${encodeURIComponent(chosen.id)}/requests`),
    );
    wrap.replaceChildren(
      requests.length === 0
        ? h('p', { class: 'empty' }, `${chosen.name} has made no SCIM requests in the past 7 days.`)
        : table(
            `Recent SCIM requests of ${chosen.name}`,
            ['Time', 'Request', 'Answer', 'Identity provider', 'Source IP'],
            requests.map((r) => [
              formatDate(r.at),
              h('code', {}, `${r.method} ${r.path}`),
              statusWords(r.status),
              idpFromUserAgent(r.userAgent),
              r.sourceIp,
            ]),
          ),
    );
  };
  select.addEventListener('change', () => void load());
  main.append(field('Credential', select), wrap);
  await load();
}

export async function activityView(main: HTMLElement): Promise<void> {
  main.append(h('h1', {}, 'Activity'));
  await recentRequests(main);
  main.append(h('h2', {}, 'Audit log'), h('p', {}, 'Everything that happened in this tenant, newest first.'));
  const wrap = h('div', { class: 'table-wrap' });
  const more = h('button', { type: 'button', class: 'secondary' }, 'Show older');
  let next: string | undefined;
  const rows: (string | Node)[][] = [];
  const load = async () => {
    const page = await busy(
      call<{ events: AuditEvent[]; next?: string }>(
        'GET',
        `/audit?limit=50${next ? `&before=${encodeURIComponent(next)}` : ''}`,
      ),
    );
    next = page.next;
    for (const e of page.events) {
      rows.push([
        formatDate(e.at),
        EVENT_WORDS[e.type] ?? e.type,
        e.actor,
        e.credentialId ? h('a', { href: `#/credentials/${e.credentialId}` }, 'Credential') : '—',
        e.sourceIp ? `${e.sourceIp} (${idpFromUserAgent(e.userAgent)})` : '—',
      ]);
    }
    wrap.replaceChildren(
      rows.length === 0
        ? h('p', { class: 'empty' }, 'Nothing recorded yet.')
        : table('Audit log', ['Time', 'What', 'Who', 'Credential', 'Source'], rows),
    );
    more.hidden = !next;
  };
  more.addEventListener('click', () => void load());
  main.append(wrap, more);
  await load();
}

export async function policyView(main: HTMLElement, reload: () => void): Promise<void> {
  const policy = await busy(call<Policy>('GET', '/policy'));
  main.append(
    h('h1', {}, 'Tenant policy'),
    h('p', {}, 'Limits every credential of this tenant follows. Only owners can change them.'),
  );
  const num = (key: keyof Policy, label: string, help: string) => {
    const input = h('input', { type: 'number', min: 0, value: String(policy[key]), name: key });
    return field(label, input, help);
  };
  const form = h(
    'form',
    {},
    num(
      'defaultLifetimeDays',
      'Default lifetime (days)',
      'Expiry of a new credential unless its creator picks a date.',
    ),
    num(
      'maxLifetimeDays',
      'Longest lifetime (days)',
      'The latest expiry anyone can choose, counted from today (creating and extending).',
    ),
    field(
      "Cap on a secret's age (days, optional)",
      h('input', {
        type: 'number',
        min: 1,
        value: policy.maxSecretAgeDays === undefined ? '' : String(policy.maxSecretAgeDays),
        name: 'maxSecretAgeDays',
        placeholder: 'Off',
      }),
      'Empty: off. When set, extending never moves an expiry later than this many days after the secret was created; going further takes a rotation. At least the longest lifetime.',
    ),
    num(
      'idleDays',
      'Deactivate after unused for (days)',
      'A credential no IdP uses for this long stops working.',
    ),
    num(
      'rotationGraceHours',
      'Rotation grace period (hours)',
      'How long the old secret keeps working after the new one is first used.',
    ),
    num(
      'rotationHardCapHours',
      'Rotation hard cap (hours)',
      'The old secret stops at the latest this long after a rotation.',
    ),
    h('div', { class: 'actions left' }, h('button', { type: 'submit', class: 'primary' }, 'Save policy')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const patch: Record<string, number | null> = {};
    for (const input of Array.from(form.querySelectorAll('input'))) {
      // The optional age cap: an empty field turns it off.
      patch[input.name] =
        input.name === 'maxSecretAgeDays' && input.value.trim() === '' ? null : Number(input.value);
    }
    void busy(call('PATCH', '/policy', patch))
      .then(() => {
        announce('Policy saved.');
        reload();
      })
      .catch((err: Error) => announce(err.message, 'error'));
  });
  main.append(form);
}

export async function adminsView(main: HTMLElement, session: Session, reload: () => void): Promise<void> {
  const { admins } = await busy(call<{ admins: Admin[] }>('GET', '/admins'));
  main.append(
    h('h1', {}, 'Admins'),
    h('p', {}, 'People who can sign in to this console, and what they may do.'),
  );
  main.append(
    h(
      'div',
      { class: 'table-wrap' },
      table(
        'Admins of this tenant',
        ['E-mail', 'Role', 'Status', 'Added', ''],
        admins.map((a) => [
          a.email,
          a.role ?? 'admin',
          a.status,
          formatDate(a.createdAt),
          a.status === 'active' && a.id !== session.admin.id
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'danger small',
                  onclick: () =>
                    void (async () => {
                      const ok = await confirmDialog({
                        title: `Deactivate ${a.email}?`,
                        body: [
                          'Their console sessions end at once, and credentials bound to them stop working: identity providers using those get 401.',
                        ],
                        confirm: 'Deactivate',
                        danger: true,
                      });
                      if (!ok) return;
                      await busy(call('POST', `/admins/${encodeURIComponent(a.id)}/deactivate`, {}))
                        .then(() => reload())
                        .catch((err: Error) => announce(err.message, 'error'));
                    })(),
                },
                `Deactivate ${a.email}`,
              )
            : '',
        ]),
      ),
    ),
  );
  const email = h('input', { type: 'email', required: true, autocomplete: 'off' });
  const role = h(
    'select',
    {},
    ['viewer', 'admin', 'owner'].map((r) => h('option', { value: r }, r)),
  );
  const form = h(
    'form',
    { class: 'card' },
    h('h2', {}, 'Invite an admin'),
    field('E-mail address', email),
    field(
      'Role',
      role,
      'viewer: read only; admin: credentials and endpoints; owner: also policy and admins.',
    ),
    h(
      'div',
      { class: 'actions left' },
      h('button', { type: 'submit', class: 'primary' }, 'Create setup link'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void busy(
      call<{ url: string; expiresAt: string }>('POST', '/admins/setup-links', {
        email: email.value.trim(),
        role: role.value,
      }),
    )
      .then(async (link) => {
        const titleId = uid('link');
        const dialog = h(
          'dialog',
          { class: 'dialog', 'aria-labelledby': titleId },
          h('h2', { id: titleId }, 'Setup link'),
          h(
            'p',
            { class: 'warning', role: 'alert' },
            `Send this link to ${email.value} over a trusted channel. It works once, until ${formatDate(link.expiresAt)}, and is not shown again.`,
          ),
          valueRow('Setup link', link.url, { secret: true }),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'primary', onclick: () => dialog.close() }, 'Done'),
          ),
        );
        dialog.addEventListener('close', () => {
          dialog.remove();
          reload();
        });
        document.body.append(dialog);
        dialog.showModal();
      })
      .catch((err: Error) => announce(err.message, 'error'));
  });
  main.append(form);
}
