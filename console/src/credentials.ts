/** Credentials: list, create, the show-once dialog, and one credential's page with its lifecycle actions. */
import {
  call,
  type Credential,
  type Issued,
  type Kind,
  type Session,
  type TenantInfo,
  type AuditEvent,
} from './api';
import {
  announce,
  busy,
  confirmDialog,
  field,
  formatDate,
  h,
  relativeDays,
  table,
  uid,
  valueRow,
} from './ui';
import { consequence, EVENT_WORDS, idpFromUserAgent, KIND_WORDS, ROLE_WORDS, STATE_WORDS } from './words';

const DAY = 86_400_000;
const canWrite = (s: Session) => s.admin.role !== 'viewer';

function endpointsText(c: Credential): string {
  return c.endpoints.includes('*') ? 'All endpoints' : c.endpoints.join(', ');
}

export async function credentialsView(main: HTMLElement, session: Session): Promise<void> {
  const { credentials } = await busy(call<{ credentials: Credential[] }>('GET', '/credentials'));
  main.append(
    h('h1', {}, 'Credentials'),
    h(
      'p',
      {},
      'What your identity providers use to call this SCIM service. Secrets are never shown again after creation.',
    ),
    canWrite(session)
      ? h('a', { href: '#/credentials/new', class: 'button primary' }, 'Create credential')
      : '',
  );
  if (credentials.length === 0) {
    main.append(
      h(
        'p',
        { class: 'empty' },
        'No credentials yet. Create one to connect your identity provider, then follow its setup guide.',
      ),
    );
    return;
  }
  main.append(
    h(
      'div',
      { class: 'table-wrap' },
      table(
        'Credentials of this tenant',
        ['Name', 'Kind', 'State', 'Expires', 'Last used', 'Endpoints'],
        credentials.map((c) => [
          h('a', { href: `#/credentials/${c.id}` }, c.name),
          KIND_WORDS[c.kind].title,
          h('span', { class: `state state-${c.state}` }, STATE_WORDS[c.state] ?? c.state),
          `${formatDate(c.expiresAt)} (${relativeDays(c.expiresAt)})`,
          c.lastUsedAt
            ? `${relativeDays(c.lastUsedAt)} by ${idpFromUserAgent(c.lastUsedUserAgent)}`
            : 'Never',
          endpointsText(c),
        ]),
      ),
    ),
  );
}

/** The show-once dialog: every value with a copy button, the secret masked; closing needs a confirmation. */
export function showOnce(issued: Issued, title: string): Promise<void> {
  return new Promise((resolve) => {
    const titleId = uid('once');
    const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'dialog once' });
    const values: HTMLElement[] = [];
    const c = issued.connection;
    if (c.scimBaseUrl) values.push(valueRow('SCIM base URL', c.scimBaseUrl));
    if (c.tokenEndpoint) values.push(valueRow('Token endpoint', c.tokenEndpoint));
    if (c.clientId) values.push(valueRow('Client ID', c.clientId));
    if (c.username) values.push(valueRow('Username', c.username));
    const secretLabel =
      issued.credential.kind === 'oauth-client'
        ? 'Client secret'
        : issued.credential.kind === 'basic'
          ? 'Password'
          : 'Token';
    values.push(valueRow(secretLabel, issued.secret, { secret: true }));
    const close = async () => {
      const sure = await confirmDialog({
        title: 'Close without the secret?',
        body: [
          `After closing, the ${secretLabel.toLowerCase()} cannot be shown again. If you have not stored it, you will have to rotate the credential.`,
        ],
        confirm: 'Close, I have stored it',
        cancel: 'Go back',
      });
      if (!sure) return;
      dialog.close();
      dialog.remove();
      resolve();
    };
    dialog.append(
      h('h2', { id: titleId }, title),
      h(
        'p',
        { class: 'warning', role: 'alert' },
        `Copy these values into your identity provider now. The ${secretLabel.toLowerCase()} will not be shown again.`,
      ),
      ...values,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => void close() }, 'Done'),
      ),
    );
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      void close();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export async function createView(
  main: HTMLElement,
  session: Session,
  go: (hash: string) => void,
): Promise<void> {
  const tenant = await busy(call<TenantInfo>('GET', '/tenant'));
  const policy = tenant.policy;
  main.append(h('h1', {}, 'Create a credential'));
  if (!canWrite(session)) {
    main.append(
      h('p', { class: 'empty' }, 'Your role (viewer) can look at credentials but not create them.'),
    );
    return;
  }
  const name = h('input', { type: 'text', required: true, maxlength: 200, autocomplete: 'off' });
  const description = h('textarea', { rows: 2, maxlength: 2000 });
  const kinds = (Object.keys(KIND_WORDS) as Kind[]).map((k, i) => {
    const id = uid('kind');
    const input = h('input', { type: 'radio', name: 'kind', value: k, id, checked: i === 0 });
    return h(
      'div',
      { class: 'choice' },
      input,
      h(
        'label',
        { for: id },
        h('strong', {}, KIND_WORDS[k].title),
        h('span', { class: 'help' }, KIND_WORDS[k].help),
      ),
    );
  });
  const endpoint = h(
    'select',
    {},
    tenant.endpoints.map((e) => h('option', { value: e.id }, `${e.name} (${e.id})`)),
  );
  const endpointField = field('Endpoint of the integration token', endpoint);
  endpointField.hidden = true;
  const now = Date.now();
  const expiry = h('input', {
    type: 'date',
    required: true,
    min: isoDate(now + DAY),
    max: isoDate(now + policy.maxLifetimeDays * DAY),
    value: isoDate(now + policy.defaultLifetimeDays * DAY),
  });
  const mails = h('input', { type: 'checkbox', id: uid('mails'), checked: true });
  const notify = h('input', { type: 'checkbox', id: uid('notify') });
  const recipients = h('input', { type: 'text', placeholder: 'it@example.com, security@example.com' });
  const lead = h('input', { type: 'number', min: 0, max: 365, value: policy.reminders.leadDays });
  const frequency = h(
    'select',
    {},
    ['daily', 'weekly', 'monthly'].map((f) =>
      h('option', { value: f, selected: f === policy.reminders.frequency }, f),
    ),
  );
  const reminderFields = h(
    'div',
    { class: 'sub' },
    field('E-mail addresses', recipients, 'Separate several addresses with commas.'),
    field('Days before expiry of the first reminder', lead),
    field('Then remind', frequency),
  );
  reminderFields.hidden = true;
  notify.addEventListener('change', () => {
    reminderFields.hidden = !notify.checked;
  });
  const ownSettings = h(
    'div',
    {},
    h(
      'div',
      { class: 'choice' },
      notify,
      h('label', { for: notify.id }, 'Notify by e-mail with its own addresses and schedule'),
    ),
    h('p', { class: 'help' }, "Off: the tenant's default reminder settings apply."),
    reminderFields,
  );
  mails.addEventListener('change', () => {
    ownSettings.hidden = !mails.checked;
  });
  const roles = Object.entries(ROLE_WORDS).map(([role, words]) => {
    const id = uid('role');
    return h(
      'div',
      { class: 'choice' },
      h('input', { type: 'checkbox', id, value: role, checked: true }),
      h('label', { for: id }, words),
    );
  });
  const domains = h('input', { type: 'text', placeholder: 'example.com, example.org' });
  const bind = h('input', { type: 'checkbox', id: uid('bind'), checked: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create credential');

  const kindOf = () =>
    (main.querySelector('input[name=kind]:checked') as HTMLInputElement | null)?.value as Kind;
  for (const k of kinds) {
    k.addEventListener('change', () => {
      endpointField.hidden = kindOf() !== 'gateway';
    });
  }

  const form = h(
    'form',
    { novalidate: true },
    field('Name', name, 'Shown in lists and reminder e-mails, e.g. "Okta production".'),
    field('Description (optional)', description),
    h('fieldset', {}, h('legend', {}, 'What will your identity provider use?'), kinds),
    endpointField,
    field('Expires on', expiry, `Your tenant allows at most ${policy.maxLifetimeDays} days from today.`),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Expiry reminders'),
      h('div', { class: 'choice' }, mails, h('label', { for: mails.id }, 'Send expiry e-mails')),
      h('p', { class: 'help' }, 'Off: no reminder and no mail at expiry for this credential.'),
      ownSettings,
    ),
    h('fieldset', {}, h('legend', {}, 'What may it do?'), roles),
    field('Only users in these e-mail domains (optional)', domains, 'Leave empty to allow any domain.'),
    h(
      'div',
      { class: 'choice' },
      bind,
      h('label', { for: bind.id }, 'Bind to me: it stops working if my console access is removed'),
    ),
    error,
    h(
      'div',
      { class: 'actions' },
      h('a', { href: '#/credentials', class: 'button secondary' }, 'Cancel'),
      submit,
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      error.textContent = '';
      if (name.value.trim() === '') {
        error.textContent = 'Give the credential a name.';
        name.focus();
        return;
      }
      if (!expiry.value || expiry.value < expiry.min || expiry.value > expiry.max) {
        error.textContent = `Choose an expiry date from ${expiry.min} to ${expiry.max}.`;
        expiry.focus();
        return;
      }
      const chosenRoles = roles
        .map((r) => r.querySelector('input') as HTMLInputElement)
        .filter((i) => i.checked)
        .map((i) => i.value);
      if (chosenRoles.length === 0) {
        error.textContent = 'Choose at least one thing it may do.';
        return;
      }
      const list = (text: string) =>
        text
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
      const kind = kindOf();
      const body: Record<string, unknown> = {
        kind,
        name: name.value.trim(),
        roles: chosenRoles,
        allowedDomains: list(domains.value),
        // End of the chosen day, capped by the policy's maximum.
        expiresAt: new Date(
          Math.min(
            Date.parse(`${expiry.value}T23:59:59Z`),
            Date.now() + policy.maxLifetimeDays * DAY - 60_000,
          ),
        ).toISOString(),
        bindToMe: bind.checked,
      };
      if (description.value.trim()) body.description = description.value.trim();
      if (kind === 'gateway') body.endpointId = endpoint.value;
      if (!mails.checked) body.expiryNotifications = false;
      else if (notify.checked) {
        body.reminders = {
          recipients: list(recipients.value),
          leadDays: Number(lead.value),
          frequency: frequency.value,
        };
      }
      submit.disabled = true;
      try {
        const issued = await busy(call<Issued>('POST', '/credentials', body));
        announce(`Credential "${issued.credential.name}" created.`);
        await showOnce(issued, `"${issued.credential.name}" is ready`);
        go(`#/credentials/${issued.credential.id}`);
      } catch (err) {
        error.textContent = (err as Error).message;
      } finally {
        submit.disabled = false;
      }
    })();
  });
  main.append(form);
  name.focus();
}

/** Name, description and the expiry e-mail switch of a credential (PATCH sends only what changed). */
async function edit(c: Credential, reload: () => void): Promise<void> {
  const name = h('input', { type: 'text', required: true, maxlength: 200, value: c.name });
  const description = h('textarea', { rows: 2, maxlength: 2000 });
  description.value = c.description;
  const mails = h('input', {
    type: 'checkbox',
    id: uid('mails'),
    checked: c.expiryNotifications !== false,
  });
  const extra = h(
    'div',
    {},
    field('Name', name),
    field('Description (optional)', description),
    h('div', { class: 'choice' }, mails, h('label', { for: mails.id }, 'Send expiry e-mails')),
    h('p', { class: 'help' }, 'Off: no reminder and no mail at expiry for this credential.'),
  );
  const ok = await confirmDialog({
    title: `Edit "${c.name}"`,
    body: ['Nothing changes for your identity provider.'],
    confirm: 'Save',
    extra,
  });
  if (!ok) return;
  const patch: Record<string, unknown> = {};
  if (name.value.trim() !== c.name) patch.name = name.value.trim();
  if (description.value !== c.description) patch.description = description.value;
  if (mails.checked !== (c.expiryNotifications !== false)) patch.expiryNotifications = mails.checked;
  if (Object.keys(patch).length === 0) return;
  try {
    await busy(call('PATCH', `/credentials/${encodeURIComponent(c.id)}`, patch));
    announce(`"${c.name}" saved.`);
    reload();
  } catch (err) {
    announce((err as Error).message, 'error');
  }
}

async function act(
  c: Credential,
  tenant: TenantInfo,
  action: 'extend' | 'rotate' | 'revoke' | 'reactivate' | 'delete',
  reload: () => void,
  go: (hash: string) => void,
): Promise<void> {
  let extra: HTMLElement | undefined;
  let days: HTMLInputElement | undefined;
  let compromised: HTMLInputElement | undefined;
  if (action === 'extend') {
    const { maxLifetimeDays, maxSecretAgeDays } = tenant.policy;
    // From today, and, when the policy caps a secret's age, from the secret's creation.
    const ageLeft =
      maxSecretAgeDays === undefined
        ? undefined
        : Math.floor((Date.parse(c.secretCreatedAt) + maxSecretAgeDays * DAY - Date.now()) / DAY);
    const max = Math.max(1, Math.min(maxLifetimeDays, ageLeft ?? maxLifetimeDays));
    days = h('input', { type: 'number', min: 1, max, value: Math.min(90, max) });
    extra = field(
      'Extend by (days from today)',
      days,
      maxSecretAgeDays === undefined
        ? `At most ${maxLifetimeDays} days from today.`
        : `At most ${maxLifetimeDays} days from today, and at most ${maxSecretAgeDays} days after the secret was created (${formatDate(
            new Date(Date.parse(c.secretCreatedAt) + maxSecretAgeDays * DAY).toISOString(),
          )}); rotate to go further.`,
    );
  }
  if (action === 'rotate' && c.kind !== 'gateway') {
    compromised = h('input', { type: 'checkbox', id: uid('comp') });
    extra = h(
      'div',
      { class: 'choice' },
      compromised,
      h('label', { for: compromised.id }, 'It leaked: stop the current secret at once'),
    );
  }
  const titles = {
    extend: `Extend "${c.name}"?`,
    rotate: `Rotate the secret of "${c.name}"?`,
    revoke: `Revoke "${c.name}"?`,
    reactivate: `Reactivate "${c.name}"?`,
    delete: `Delete "${c.name}"?`,
  };
  const words = {
    extend: 'Extend',
    rotate: 'Rotate',
    revoke: 'Revoke',
    reactivate: 'Reactivate',
    delete: 'Delete',
  };
  const ok = await confirmDialog({
    title: titles[action],
    body: [consequence(action, c.kind, tenant.policy)],
    confirm: words[action],
    danger: action === 'revoke' || action === 'delete',
    ...(extra ? { extra } : {}),
  });
  if (!ok) return;
  try {
    if (action === 'delete') {
      await busy(call('DELETE', `/credentials/${c.id}`));
      announce(`"${c.name}" deleted.`);
      go('#/credentials');
      return;
    }
    if (action === 'rotate') {
      const issued = await busy(
        call<Issued>(
          'POST',
          `/credentials/${c.id}/rotate`,
          compromised?.checked ? { compromised: true } : {},
        ),
      );
      await showOnce(issued, `New secret for "${c.name}"`);
    } else {
      await busy(
        call(
          'POST',
          `/credentials/${c.id}/${action}`,
          action === 'extend' ? { days: Number(days?.value) } : {},
        ),
      );
    }
    announce(`"${c.name}": ${words[action].toLowerCase()} done.`);
    reload();
  } catch (err) {
    announce((err as Error).message, 'error');
  }
}

export async function credentialView(
  main: HTMLElement,
  session: Session,
  id: string,
  go: (hash: string) => void,
  reload: () => void,
): Promise<void> {
  const [c, tenant, audit] = await busy(
    Promise.all([
      call<Credential>('GET', `/credentials/${encodeURIComponent(id)}`),
      call<TenantInfo>('GET', '/tenant'),
      call<{ events: AuditEvent[] }>('GET', `/audit?credentialId=${encodeURIComponent(id)}&limit=20`),
    ]),
  );
  const facts: [string, string][] = [
    ['Kind', KIND_WORDS[c.kind].title],
    ['State', STATE_WORDS[c.state] ?? c.state],
    ['Expires', `${formatDate(c.expiresAt)} (${relativeDays(c.expiresAt)})`],
    [
      'Last used',
      c.lastUsedAt
        ? `${formatDate(c.lastUsedAt)} by ${idpFromUserAgent(c.lastUsedUserAgent)} from ${c.lastUsedIp ?? '—'}`
        : 'Never',
    ],
    ['Endpoints', endpointsText(c)],
    ['May', c.roles.map((r) => ROLE_WORDS[r] ?? r).join(', ')],
    ['E-mail domains', c.allowedDomains.length ? c.allowedDomains.join(', ') : 'Any'],
    [
      'Secret',
      c.secrets
        .map((s) => `${s.hint}${s.retiresAt ? ` (retires ${formatDate(s.retiresAt)})` : ''}`)
        .join('; '),
    ],
  ];
  if (c.clientId) facts.push(['Client ID', c.clientId]);
  if (c.username) facts.push(['Username', c.username]);
  facts.push(['Expiry e-mails', c.expiryNotifications === false ? 'Off' : 'On']);
  if (c.reminders?.recipients?.length) facts.push(['Reminders to', c.reminders.recipients.join(', ')]);
  main.append(
    h('p', {}, h('a', { href: '#/credentials' }, '← All credentials')),
    h('h1', {}, c.name),
    c.description ? h('p', {}, c.description) : '',
    h(
      'dl',
      { class: 'facts' },
      facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
  );
  if (canWrite(session)) {
    const button = (label: string, action: Parameters<typeof act>[2], cls = 'secondary') =>
      h(
        'button',
        { type: 'button', class: cls, onclick: () => void act(c, tenant, action, reload, go) },
        label,
      );
    main.append(
      h(
        'div',
        { class: 'actions left' },
        h('button', { type: 'button', class: 'secondary', onclick: () => void edit(c, reload) }, 'Edit'),
        c.state !== 'revoked' ? button('Extend', 'extend') : '',
        c.state !== 'revoked' ? button('Rotate secret', 'rotate') : '',
        c.state === 'revoked' || c.state === 'deactivated' || c.state === 'idle'
          ? button('Reactivate', 'reactivate')
          : '',
        c.state !== 'revoked' ? button('Revoke', 'revoke', 'danger') : '',
        button('Delete', 'delete', 'danger'),
      ),
    );
  }
  main.append(
    h('h2', {}, 'Activity'),
    audit.events.length === 0
      ? h('p', { class: 'empty' }, 'Nothing recorded yet.')
      : h(
          'div',
          { class: 'table-wrap' },
          table(
            `Recent activity of ${c.name}`,
            ['Time', 'What', 'Who', 'Source'],
            audit.events.map((e) => [
              formatDate(e.at),
              EVENT_WORDS[e.type] ?? e.type,
              e.actor,
              e.sourceIp ? `${e.sourceIp} (${idpFromUserAgent(e.userAgent)})` : '—',
            ]),
          ),
        ),
  );
}
