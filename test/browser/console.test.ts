/// <reference lib="dom" />
/**
 * The admin console end to end in headless Chromium, over the real handlers and DynamoDB Local: sign-in by setup
 * link, every credential kind created (the OAuth client with the keyboard only), show-once values checked through
 * the clipboard, reminders, lifecycle actions with their confirmations, integration tokens, a setup guide's Test
 * connection, activity, the owner's pages, a reminder e-mail's deep link, a phone-width layout, axe-core, the CSP,
 * and no secret in a URL or browser storage. Screenshots land in docs/console/ (used by docs/console.md).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, Request, Route } from 'playwright-core';
import { CONSOLE_CSP } from '../../shared/http/console-headers';
import { ensureConsoleBuilt, launchChromium, seriousViolations, tabTo } from '../support/browser';
import { send } from '../support/harness';
import { startManagementHarness, type ManagementHarness } from '../support/management-harness';

const TENANT = 'acme';
const SHOTS = fileURLToPath(new URL('../../docs/console/', import.meta.url));
const SECRET_SHAPE = /scg[a-z]_[0-9A-Za-z]{40,}/;

describe('admin console in Chromium', () => {
  let h: ManagementHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  const cspErrors: string[] = [];
  const visited: string[] = [];
  let oauth: { id: string; clientId: string; secret: string };

  async function newPage(ctx: BrowserContext): Promise<Page> {
    const p = await ctx.newPage();
    p.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    p.on('framenavigated', (f) => visited.push(f.url()));
    return p;
  }

  async function newContext(): Promise<BrowserContext> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    return ctx;
  }

  async function setupLink(email: string, role: string): Promise<string> {
    const res = await h.request('POST', `/tenants/${TENANT}/setup-links`, { body: { email, role } });
    if (res.status !== 201) throw new Error(`setup link: ${res.status} ${res.text}`);
    return res.body.url as string;
  }

  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  const shot = (name: string, p: Page = page) =>
    p.screenshot({ path: `${SHOTS}${name}.png`, fullPage: false });
  const heading = (name: string | RegExp, p: Page = page) =>
    p.getByRole('heading', { level: 1, name }).waitFor();

  async function expectAccessible(p: Page = page): Promise<void> {
    expect(await seriousViolations(p)).toEqual([]);
  }

  beforeAll(async () => {
    ensureConsoleBuilt();
    mkdirSync(SHOTS, { recursive: true });
    h = await startManagementHarness();
    origin = h.server.origin;
    const tenant = await h.request('POST', '/tenants', { body: { id: TENANT, name: 'Acme Corp' } });
    if (tenant.status !== 201) throw new Error(`tenant: ${tenant.status}`);
    browser = await launchChromium();
    context = await newContext();
    page = await newPage(context);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('should serve the console with a strict CSP and sign in through a setup link whose token leaves the URL', async () => {
    const url = await setupLink('olivia@acme.example', 'owner');
    const index = await send(`${origin}/console/`, 'GET', {}, undefined);

    await page.goto(url);
    await heading('Credentials');

    expect(index.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(index.headers.get('x-frame-options')).toBe('DENY');
    expect(page.url()).toBe(`${origin}/console/#/credentials`);
    expect(await page.getByText('No credentials yet.').isVisible()).toBe(true);
    await expectAccessible();
  });

  it('should create an OAuth client with the keyboard only, with reminders, and show its values once', async () => {
    await page.goto(`${origin}/console/#/credentials/new`);
    await heading('Create a credential');
    await expectAccessible();

    await tabTo(page, 'Name');
    await page.keyboard.type('Entra production');
    await tabTo(page, 'SCIM token'); // the radio group: Tab lands on the checked kind
    await page.keyboard.press('ArrowDown'); // → SCIM administrator (OAuth client)
    await tabTo(page, 'Notify by e-mail');
    await page.keyboard.press('Space');
    await tabTo(page, 'E-mail addresses');
    await page.keyboard.type('it@acme.example, security@acme.example');
    await tabTo(page, 'Days before expiry');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('21');
    await tabTo(page, 'Then remind');
    await page.keyboard.press('ArrowUp'); // weekly → daily
    await tabTo(page, 'Only users in these e-mail domains');
    await page.keyboard.type('acme.example');
    await shot('create');
    await tabTo(page, 'Create credential');
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: '"Entra production" is ready' });
    await dialog.waitFor();
    expect(await dialog.getByRole('alert').textContent()).toContain('will not be shown again');
    await expectAccessible();
    await shot('show-once');
    const secretBox = dialog.getByLabel('Client secret', { exact: true });
    expect(await secretBox.getAttribute('type')).toBe('password');
    await tabTo(page, 'Copy client id');
    await page.keyboard.press('Enter');
    const clientId = await clipboard();
    await tabTo(page, 'Copy client secret');
    await page.keyboard.press('Enter');
    const secret = await clipboard();
    await tabTo(page, 'Copy token endpoint');
    await page.keyboard.press('Enter');
    const tokenEndpoint = await clipboard();
    await tabTo(page, 'Show client secret');
    await page.keyboard.press('Enter');

    expect(clientId).toMatch(/^scgi_/);
    expect(secret).toMatch(/^scgc_/);
    expect(tokenEndpoint).toBe(`${origin}/oauth/${TENANT}/token`);
    expect(await secretBox.getAttribute('type')).toBe('text');
    expect(await secretBox.inputValue()).toBe(secret);

    // Closing asks first; "Go back" keeps the dialog, the second answer closes it.
    await page.keyboard.press('Escape');
    const confirm = page.getByRole('dialog', { name: 'Close without the secret?' });
    await confirm.waitFor();
    await page.keyboard.press('Enter'); // focus starts on "Go back"
    expect(await dialog.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await confirm.waitFor();
    await tabTo(page, 'Close, I have stored it');
    await page.keyboard.press('Enter');
    await heading('Entra production');

    const id = page.url().split('#/credentials/')[1] ?? '';
    const stored = await h.request('GET', `/tenants/${TENANT}/credentials/${id}`);
    expect(stored.body).toMatchObject({
      kind: 'oauth-client',
      clientId,
      allowedDomains: ['acme.example'],
      reminders: {
        recipients: ['it@acme.example', 'security@acme.example'],
        leadDays: 21,
        frequency: 'daily',
      },
    });
    expect(stored.body.boundAdminId).toEqual(expect.any(String));
    oauth = { id, clientId, secret };
  });

  it.each([
    ['bearer', 'SCIM token', ['Token', 'SCIM base URL']],
    ['basic', 'SCIM username and password', ['Username', 'Password']],
    ['gateway', 'Integration token for one endpoint', ['Token', 'SCIM base URL']],
  ])(
    'should create a %s credential in the admin’s words and copy every value',
    async (_kind, words, labels) => {
      await page.goto(`${origin}/console/#/credentials/new`);
      await heading('Create a credential');
      await page.getByLabel('Name', { exact: true }).fill(`${words} for tests`);
      await page.getByRole('radio', { name: new RegExp(`^${words}`) }).check();
      await page.getByRole('button', { name: 'Create credential' }).click();
      const dialog = page.getByRole('dialog', { name: `"${words} for tests" is ready` });
      await dialog.waitFor();

      for (const label of labels) {
        await dialog.getByRole('button', { name: `Copy ${label.toLowerCase()}`, exact: true }).click();
        expect(await clipboard()).toBe(await dialog.getByLabel(label, { exact: true }).inputValue());
      }
      await dialog.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Close, I have stored it' }).click();
      await heading(`${words} for tests`);
    },
  );

  it('should list credentials with kind, state, expiry in days, last use and endpoints', async () => {
    await page.goto(`${origin}/console/#/credentials`);
    await heading('Credentials');
    const row = page.getByRole('row', { name: /Entra production/ });

    expect(await row.textContent()).toMatch(
      /SCIM administrator \(OAuth client\).*Active.*in 3\d\d days.*Never.*All endpoints/,
    );
    expect(await page.getByRole('row').count()).toBe(5);
    await shot('credentials');
    await expectAccessible();
  });

  it('should test the connection from the Entra guide with this tenant’s values', async () => {
    await page.goto(`${origin}/console/#/guides/entra-oauth`);
    await page.getByRole('heading', { name: 'Microsoft Entra ID (OAuth2 client credentials)' }).waitFor();
    await page.getByRole('button', { name: 'Copy tenant url' }).click();
    expect(await clipboard()).toBe(`${origin}/scim/v2/${TENANT}/default`);

    await page.getByLabel('Client ID').fill(oauth.clientId);
    await page.getByLabel('Client secret').fill('scgc_wrong');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The token endpoint refused').waitFor();
    await page.getByLabel('Client secret').fill(oauth.secret);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/^Connection works:/).waitFor();

    await shot('guide-entra');
    await expectAccessible();
  });

  it('should generate and regenerate an integration token (the old one stops at once)', async () => {
    await page.goto(`${origin}/console/#/integrations/default`);
    await heading('Integrations');
    const card = page.getByRole('region', { name: /default/ });
    await card.getByRole('button', { name: 'Copy scim url' }).click();
    expect(await clipboard()).toBe(`${origin}/scim/v2/${TENANT}/default`);
    await card.getByRole('button', { name: 'Copy bookmark url' }).click();
    expect(await clipboard()).toBe(`${origin}/console/#/integrations/default`);
    await shot('integrations');

    // The gateway credential made above is this endpoint's token: regenerating replaces it after a warning.
    await card.getByRole('button', { name: 'Generate new token' }).click();
    const warn = page.getByRole('dialog', { name: /Generate a new token/ });
    expect(await warn.textContent()).toContain('stops working at once');
    await warn.getByRole('button', { name: 'Generate new token' }).click();
    const dialog = page.getByRole('dialog', { name: /Integration token for Default SCIM endpoint/ });
    await dialog.getByRole('button', { name: 'Copy token' }).click();
    const fresh = await clipboard();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Close, I have stored it' }).click();

    const answer = await send(
      `${origin}/scim/v2/${TENANT}/default/Users`,
      'GET',
      { authorization: `Bearer ${fresh}` },
      undefined,
    );
    expect(fresh).toMatch(/^scgg_/);
    expect(answer.status).toBe(200);
    await expectAccessible();
  });

  it("should set the tenant's and an endpoint's application URL with the keyboard, refusing a bad one in words", async () => {
    await page.goto(`${origin}/console/#/integrations`);
    await heading('Integrations');
    const defaultCard = page.getByRole('region', { name: /default/ });
    const tenantField = page.getByLabel('Application URL of the tenant (optional)');
    const focusedLabel = () =>
      page.evaluate(() => document.querySelector(`label[for="${document.activeElement?.id}"]`)?.textContent);

    // Not an https URL: refused by the server's validation, said in words next to the field, focus back on it.
    await tabTo(page, 'Application URL of the tenant');
    await page.keyboard.type('http://app.acme.example/sign-in');
    await page.keyboard.press('Enter');
    const refusal = page
      .getByRole('region', { name: "The tenant's application (bookmark) URL" })
      .getByRole('alert');
    await refusal.getByText(/^Not saved: .*must be an https URL/).waitFor();
    expect(await tenantField.getAttribute('aria-invalid')).toBe('true');
    expect(await tenantField.getAttribute('aria-describedby')).toContain(await refusal.getAttribute('id'));
    expect(await focusedLabel()).toBe('Application URL of the tenant (optional)');
    expect((await h.request('GET', `/tenants/${TENANT}`)).body).not.toHaveProperty('applicationUrl');
    await expectAccessible();
    await shot('application-url');

    await page.keyboard.press('Control+A');
    await page.keyboard.type('https://app.acme.example/sign-in');
    await tabTo(page, 'Save application URL');
    await page.keyboard.press('Enter');
    await page.getByText('Application URL saved.').waitFor();
    await heading('Integrations');
    await defaultCard.getByRole('button', { name: 'Copy bookmark url' }).click();
    expect(await clipboard()).toBe('https://app.acme.example/sign-in');
    expect((await h.request('GET', `/tenants/${TENANT}`)).body.applicationUrl).toBe(
      'https://app.acme.example/sign-in',
    );

    // The endpoint's own URL wins over the tenant's; emptied, the tenant's applies again.
    const endpointField = defaultCard.getByLabel('Application URL of default (optional)');
    await endpointField.fill('https://hr.acme.example/sso');
    await defaultCard.getByRole('button', { name: 'Save application URL' }).click();
    await page.getByText('Application URL of default saved.').waitFor();
    await defaultCard.getByRole('button', { name: 'Copy bookmark url' }).click();
    expect(await clipboard()).toBe('https://hr.acme.example/sso');
    await defaultCard.getByLabel('Application URL of default (optional)').fill('');
    await defaultCard.getByRole('button', { name: 'Save application URL' }).click();
    await page.getByText('Application URL of default removed.').waitFor();
    await tenantField.fill('');
    await tenantField.press('Enter');
    await page.getByText('Application URL removed.').waitFor();
    await defaultCard.getByRole('button', { name: 'Copy bookmark url' }).click();
    expect(await clipboard()).toBe(`${origin}/console/#/integrations/default`);

    const audit = await h.request('GET', `/tenants/${TENANT}/audit?limit=20`);
    const changes = audit.body.events.filter((e: { type: string }) =>
      ['tenant.updated', 'endpoint.updated'].includes(e.type),
    );
    expect(changes).toHaveLength(4);
    for (const e of changes) expect(e.actor).toMatch(/^admin:/);
  });

  it('should create a credential with expiry e-mails off and switch them on in the edit dialog', async () => {
    await page.goto(`${origin}/console/#/credentials/new`);
    await heading('Create a credential');
    await page.getByLabel('Name', { exact: true }).fill('Quiet integration');
    await page.getByLabel('Send expiry e-mails').uncheck();
    expect(await page.getByLabel('Notify by e-mail with its own addresses and schedule').isVisible()).toBe(
      false,
    );
    await page.getByRole('button', { name: 'Create credential' }).click();
    await page
      .getByRole('dialog', { name: '"Quiet integration" is ready' })
      .getByRole('button', { name: 'Done' })
      .click();
    await page.getByRole('button', { name: 'Close, I have stored it' }).click();
    await heading('Quiet integration');
    const id = page.url().split('#/credentials/')[1] ?? '';
    const stored = async () => (await h.request('GET', `/tenants/${TENANT}/credentials/${id}`)).body;
    expect((await stored()).expiryNotifications).toBe(false);
    await page.locator('dd', { hasText: /^Off$/ }).waitFor();

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit "Quiet integration"' });
    await expectAccessible();
    await dialog.getByLabel('Send expiry e-mails').check();
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('"Quiet integration" saved.').waitFor();
    expect(await stored()).toMatchObject({ expiryNotifications: true, name: 'Quiet integration' });
    // The page re-renders after saving; the next test navigates away at once, racing that render on purpose.
  });

  it('should show one page, the latest, when navigations overlap: a page still loading is dropped', async () => {
    await page.goto(`${origin}/console/#/credentials`);
    await heading('Credentials');
    const headings = () => page.locator('#main h1').allTextContents();
    // Counts the most headings #main ever held from here on, so that a second copy cannot come and go unseen.
    await page.evaluate(() => {
      const w = window as unknown as { mostHeadings: number };
      w.mostHeadings = 0;
      const main = document.getElementById('main') as HTMLElement;
      new MutationObserver(() => {
        w.mostHeadings = Math.max(w.mostHeadings, main.querySelectorAll('h1').length);
      }).observe(main, { childList: true, subtree: true });
    });

    // The policy page's read is held; the admin moves on to Admins before it answers: the read is abandoned.
    let held: (route: Route) => void = () => undefined;
    const reached = new Promise<Route>((resolve) => (held = resolve));
    await page.route('**/console/api/policy', (route) => held(route));
    const abandoned = page.waitForEvent('requestfailed', (r) => r.url().endsWith('/console/api/policy'));
    await page.evaluate(() => (location.hash = '#/policy'));
    const policyRead = await reached;
    await page.evaluate(() => (location.hash = '#/admins'));
    await heading('Admins');
    await abandoned;
    await policyRead.continue().catch(() => undefined); // the page no longer waits for it
    await page.unroute('**/console/api/policy');

    // Five navigations in one go (each a hashchange, each a render): only the last one's page appears.
    const reads: Request[] = [];
    const onRequest = (r: Request) => {
      if (r.url().includes('/console/api/')) reads.push(r);
    };
    page.on('request', onRequest);
    await page.evaluate(() => {
      for (const hash of ['#/activity', '#/integrations', '#/guides', '#/policy', '#/credentials']) {
        location.hash = hash;
      }
    });
    await heading('Credentials');
    await Promise.all(reads.map(async (r) => (await r.response())?.finished()));
    page.off('request', onRequest);

    expect(await headings()).toEqual(['Credentials']);
    expect(await page.locator('#main > .view').count()).toBe(1);
    expect(await page.title()).toBe('Credentials · scimgate');
    expect(await page.evaluate(() => (window as unknown as { mostHeadings: number }).mostHeadings)).toBe(1);
  });

  it('should extend, rotate, revoke, reactivate and delete, each confirmed with what the IdP will experience', async () => {
    await page.goto(`${origin}/console/#/credentials/${oauth.id}`);
    await heading('Entra production');
    await shot('credential');
    const confirmWith = async (button: string, words: RegExp, confirm: string) => {
      await page.getByRole('button', { name: button, exact: true }).click();
      const dialog = page.getByRole('dialog');
      expect(await dialog.textContent()).toMatch(words);
      await dialog.getByRole('button', { name: confirm, exact: true }).click();
    };

    await confirmWith('Extend', /Nothing changes for your identity provider/, 'Extend');
    await page.getByText('extend done').waitFor();
    await confirmWith(
      'Rotate secret',
      /keeps working until your identity provider first uses the new one, then for 24 more hours/,
      'Rotate',
    );
    await page
      .getByRole('dialog', { name: /New secret for/ })
      .getByRole('button', { name: 'Done' })
      .click();
    await page.getByRole('button', { name: 'Close, I have stored it' }).click();
    await confirmWith('Revoke', /refused \(401\)/, 'Revoke');
    await page.locator('dd', { hasText: /^Revoked$/ }).waitFor();
    await confirmWith('Reactivate', /can use this credential again/, 'Reactivate');
    await page.locator('dd', { hasText: /^Active$/ }).waitFor();
    await confirmWith('Delete', /removed for good/, 'Delete');
    await heading('Credentials');

    expect((await h.request('GET', `/tenants/${TENANT}/credentials/${oauth.id}`)).status).toBe(404);
  });

  it('should show the activity log with the admin as the actor', async () => {
    await page.goto(`${origin}/console/#/activity`);
    await heading('Activity');
    // The heading comes first; the log arrives with the request after it.
    await page.getByRole('table', { name: 'Audit log' }).waitFor();
    const log = page.getByRole('table', { name: 'Audit log' });
    await log.locator('tbody tr', { hasText: 'Secret rotated' }).first().waitFor();
    const rows = await log.locator('tbody tr').allTextContents();

    // The rotation on the credential's page and the integration token's regeneration, both by the signed-in owner.
    expect(rows.filter((r) => r.includes('Secret rotated') && r.includes('admin:')).length).toBe(2);
    expect(rows.filter((r) => r.includes('Revoked') && r.includes('admin:')).length).toBe(1);
    expect(rows.filter((r) => r.includes('Signed in to the console')).length).toBeGreaterThan(0);
    await shot('activity');
    await expectAccessible();
  });

  it("should show a credential's recent SCIM requests: time, request, answer, IdP and source", async () => {
    const issued = await h.request('POST', `/tenants/${TENANT}/credentials`, {
      body: { kind: 'bearer', name: 'Okta provisioning', lifetimeDays: 30 },
    });
    expect(issued.status).toBe(201);
    const scim = (method: string, path: string, body?: unknown) =>
      send(
        `${origin}/scim/v2/${TENANT}/default${path}`,
        method,
        {
          authorization: `Bearer ${issued.body.secret}`,
          'user-agent': 'Okta SCIM Client 1.0.0',
          ...(body ? { 'content-type': 'application/scim+json' } : {}),
        },
        body ? JSON.stringify(body) : undefined,
      );
    const created = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ada@acme.example',
    });
    const filtered = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "ada@acme.example"')}`,
    );
    const missing = await scim('GET', '/Users/00000000-0000-7000-8000-000000000000');
    expect([created.status, filtered.status, missing.status]).toEqual([201, 200, 404]);

    // The previous test left the page on #/activity: go elsewhere first so that the view is built anew.
    await page.goto(`${origin}/console/#/credentials`);
    await heading('Credentials');
    await page.goto(`${origin}/console/#/activity`);
    await heading('Activity');
    await page.getByLabel('Credential').selectOption({ label: 'Okta provisioning' });
    const requests = page.getByRole('table', { name: 'Recent SCIM requests of Okta provisioning' });
    await requests.locator('tbody tr').nth(2).waitFor();
    const rows = await requests.locator('tbody tr').allTextContents();

    // Newest first; the path without its query string (the filter names a person).
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('GET /scim/v2/acme/default/Users/00000000-0000-7000-8000-000000000000');
    expect(rows[0]).toContain('404 not found');
    expect(rows[1]).toContain('GET /scim/v2/acme/default/Users');
    expect(rows[1]).toContain('200 OK');
    expect(rows[2]).toContain('POST /scim/v2/acme/default/Users');
    expect(rows[2]).toContain('201 OK');
    for (const row of rows) {
      expect(row).toContain('Okta');
      expect(row).toMatch(/127\.0\.0\.1|::1/);
      expect(row).not.toContain('ada@acme.example');
    }
    await shot('activity-requests');
    await expectAccessible();
  });

  it('should let the owner change the policy and invite a viewer, who can only look', async () => {
    await page.goto(`${origin}/console/#/policy`);
    await heading('Tenant policy');
    await expectAccessible();
    await page.getByLabel('Longest lifetime (days)').fill('90');
    await page.getByLabel('Default lifetime (days)').fill('60');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Policy saved.').waitFor();
    expect((await h.request('GET', `/tenants/${TENANT}/policy`)).body).toMatchObject({ maxLifetimeDays: 90 });

    await page.goto(`${origin}/console/#/admins`);
    await heading('Admins');
    await page.getByLabel('E-mail address').fill('vera@acme.example');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create setup link' }).click();
    const linkDialog = page.getByRole('dialog', { name: 'Setup link' });
    await linkDialog.getByRole('button', { name: 'Copy setup link' }).click();
    const viewerLink = await clipboard();
    await linkDialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('row', { name: /vera@acme.example/ }).waitFor();
    await shot('admins');
    await expectAccessible();

    const viewerContext = await newContext();
    const viewer = await newPage(viewerContext);
    await viewer.goto(viewerLink);
    await heading('Credentials', viewer);

    expect(await viewer.getByRole('link', { name: 'Create credential' }).count()).toBe(0);
    expect(await viewer.getByRole('link', { name: 'Admins' }).count()).toBe(0);
    expect(await viewer.getByText('vera@acme.example · viewer').count()).toBe(1);
    await viewerContext.close();
  });

  it("should open a reminder e-mail's credential link after the admin signs in through a link", async () => {
    const made = await h.request('POST', `/tenants/${TENANT}/credentials`, {
      body: { kind: 'bearer', name: 'Okta EU' },
    });
    const fresh = await newContext();
    const p = await newPage(fresh);

    await p.goto(`${origin}/console/#/credentials/${made.body.credential.id}`);
    await heading('Sign in to the admin console', p);
    await p.goto(await setupLink('olivia@acme.example', 'owner'));
    await heading('Okta EU', p);
    await fresh.close();

    expect(p.isClosed()).toBe(true);
  });

  it('should be readable at a phone width without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin}/console/#/credentials`);
    await heading('Credentials');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await shot('phone');
    await page.setViewportSize({ width: 1280, height: 860 });

    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('should keep secrets out of every URL and out of browser storage, and break no CSP rule', async () => {
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    const cookies = await context.cookies();
    const afterSignIn = visited.filter((u) => !u.includes('#link='));

    expect(storage).not.toMatch(SECRET_SHAPE);
    expect(afterSignIn.filter((u) => SECRET_SHAPE.test(u))).toEqual([]);
    // The session cookie is HttpOnly: the page's scripts cannot read it.
    expect(cookies.find((c) => c.name === 'scimgate_console')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(cspErrors).toEqual([]);
  });
});
