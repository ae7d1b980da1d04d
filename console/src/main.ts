/**
 * The admin console SPA (docs/console.md). Hash routes, so any path under /console/ serves this one page:
 *   #link=<token>            a setup link: exchanged by POST, then removed from the address bar
 *   #/credentials[/new|/id]  #/integrations[/endpoint]  #/guides[/idp]  #/activity  #/policy  #/admins
 */
import './style.css';
import { ApiError, currentSession, newPage, signIn, signOut, type Session } from './api';
import { createView, credentialsView, credentialView } from './credentials';
import { activityView, adminsView, guidesView, integrationsView, policyView } from './tenant';
import { announce, h } from './ui';

/** Where to go after signing in (a reminder e-mail's credential link); a route, never a secret. */
const NEXT_KEY = 'scimgate.console.next';

let session: Session | undefined;
/** The latest navigation's number: only its render may write #main (see render). */
let rendering = 0;

const main = () => document.getElementById('main') as HTMLElement;

function go(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function nav(s: Session): void {
  const links: [string, string][] = [
    ['#/credentials', 'Credentials'],
    ['#/integrations', 'Integrations'],
    ['#/guides', 'Setup guides'],
    ['#/activity', 'Activity'],
  ];
  if (s.admin.role === 'owner') links.push(['#/policy', 'Policy'], ['#/admins', 'Admins']);
  const current = '#/' + (location.hash.split('/')[1] ?? '');
  document.getElementById('nav')?.replaceChildren(
    h(
      'ul',
      {},
      links.map(([href, text]) =>
        h('li', {}, h('a', { href, 'aria-current': href === current ? 'page' : undefined }, text)),
      ),
    ),
  );
  document.getElementById('who')?.replaceChildren(
    `${s.admin.email} · ${s.admin.role} · tenant ${s.tenantId} `,
    h(
      'button',
      {
        type: 'button',
        class: 'secondary small',
        onclick: () =>
          void signOut().then(() => {
            session = undefined;
            signedOut('You are signed out.');
          }),
      },
      'Sign out',
    ),
  );
}

function signedOut(message: string): void {
  rendering++; // a page still loading must not appear over this one
  newPage();
  document.getElementById('nav')?.replaceChildren();
  document.getElementById('who')?.replaceChildren();
  main().replaceChildren(
    h('h1', {}, 'Sign in to the admin console'),
    h('p', {}, message),
    h(
      'p',
      {},
      'Open the setup link you were given. Links work once and for a short time; if yours has expired, ask your service provider for a new one.',
    ),
  );
}

/**
 * Renders the view the hash names. Views build into a detached element that replaces #main's content only if no
 * later navigation started meanwhile: two navigations in quick succession (a click while a page still loads, a
 * reload after a save racing a link) used to both append to #main and show two pages. A new navigation also aborts
 * the reads of the one it supersedes (api.ts).
 */
async function render(): Promise<void> {
  const m = main();
  if (!session) return;
  const token = ++rendering;
  const current = () => token === rendering;
  newPage();
  nav(session);
  m.replaceChildren();
  const view = h('div', { class: 'view' });
  const [, section, arg] = location.hash.replace(/^#/, '').split('/');
  const reload = () => void render();
  try {
    switch (section) {
      case 'credentials':
        if (arg === 'new') await createView(view, session, go);
        else if (arg) await credentialView(view, session, decodeURIComponent(arg), go, reload);
        else await credentialsView(view, session);
        break;
      case 'integrations':
        await integrationsView(view, session, arg ? decodeURIComponent(arg) : undefined, reload);
        break;
      case 'guides':
        await guidesView(view, arg);
        break;
      case 'activity':
        await activityView(view);
        break;
      case 'policy':
        await policyView(view, reload);
        break;
      case 'admins':
        await adminsView(view, session, reload);
        break;
      default:
        go('#/credentials');
        return;
    }
    if (!current()) return;
    m.replaceChildren(view);
    document.title = `${view.querySelector('h1')?.textContent ?? 'Console'} · scimgate`;
    (view.querySelector('h1') as HTMLElement | null)?.setAttribute('tabindex', '-1');
    (view.querySelector('h1') as HTMLElement | null)?.focus();
  } catch (e) {
    if (!current()) return; // a superseded page's failure (its reads were aborted) is nobody's news
    if (e instanceof ApiError && e.status === 401) {
      session = undefined;
      localStorage.setItem(NEXT_KEY, location.hash);
      signedOut(e.message);
      return;
    }
    m.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, (e as Error).message));
  }
}

async function start(): Promise<void> {
  const hash = location.hash;
  if (hash.startsWith('#link=')) {
    const link = decodeURIComponent(hash.slice('#link='.length));
    // The token leaves the address bar (and history) before anything else happens.
    history.replaceState(null, '', location.pathname + location.search);
    try {
      session = await signIn(link);
      announce(`Signed in as ${session.admin.email}.`);
      const next = localStorage.getItem(NEXT_KEY);
      localStorage.removeItem(NEXT_KEY);
      go(next && next.startsWith('#/') ? next : '#/credentials');
    } catch (e) {
      signedOut((e as Error).message);
    }
    return;
  }
  try {
    session = await currentSession();
    if (!location.hash.startsWith('#/')) location.hash = '#/credentials';
    else await render();
  } catch (e) {
    // Remember where the admin was going (a reminder e-mail opens #/credentials/<id>).
    if (hash.startsWith('#/')) localStorage.setItem(NEXT_KEY, hash);
    signedOut(e instanceof ApiError && e.status === 401 ? 'You are not signed in.' : (e as Error).message);
  }
}

window.addEventListener('hashchange', () => {
  if (location.hash.startsWith('#link=')) void start();
  else void render();
});
void start();
