// Sign-in (demo users, token sign-in), sign-out, and claiming a shared token.
import { api } from './api.js';
import { announce, byId, clearError, h, show } from './dom.js';
import { showSecret } from './secret.js';
import { state } from './state.js';

const CLAIM = /^#claim=([^&]+)$/;

/** The claim code of a share link, from the fragment (never sent to any server). */
function claimCode() {
  const match = CLAIM.exec(window.location.hash);
  return match === null ? null : decodeURIComponent(match[1]);
}

function forgetClaimLink() {
  history.replaceState(null, '', window.location.pathname + window.location.search);
  show(byId('claim'), false);
}

async function claim() {
  clearError();
  const code = claimCode();
  if (code === null) return;
  // The link works once: forget it before the answer, so a reload cannot try it again.
  forgetClaimLink();
  const claimed = await api.post('/api/claims', { code });
  showSecret(claimed.token, `Your token ${claimed.info.name}`);
  announce(`Claimed ${claimed.info.name}. Copy the token now: it is shown once.`);
}

function accountText(status) {
  const who = status.who;
  if (who.kind === 'system') return 'Acting as the operator (every right)';
  if (who.kind === 'user') return `Signed in as ${who.user}${status.admin ? ' (admin)' : ''}`;
  const owner = who.owner === null ? '' : ` of ${who.owner}`;
  return `Signed in with token ${who.name}${owner}: read only`;
}

const ENDED = {
  token_revoked: 'Your token session ended: the token was revoked or rotated.',
  token_expired: 'Your token session expired.',
  token_invalid: 'Your token session ended.',
};

/** Shows the sign-in forms or who is signed in. */
export function renderAccount() {
  const status = state.status;
  show(byId('account'), status.signedIn);
  show(byId('sign-out'), status.signedIn && status.signOut);
  if (status.signedIn) byId('account-text').textContent = accountText(status);
  const demo = status.signIn.demoUsers;
  const canSignIn = !status.signedIn && (demo.length > 0 || status.signIn.token);
  show(byId('signin'), canSignIn);
  show(byId('demo-signin'), !status.signedIn && demo.length > 0);
  show(byId('token-signin'), !status.signedIn && status.signIn.token);
  const select = byId('demo-user');
  if (select.options.length !== demo.length) {
    select.replaceChildren(...demo.map((user) => h('option', { value: user }, user)));
  }
  if (status.ended !== undefined) announce(ENDED[status.ended] ?? 'Your session ended.');
  show(byId('claim'), claimCode() !== null);
}

export function setUpSignIn(onSignedIn, onError) {
  byId('demo-signin').addEventListener('submit', (event) => {
    event.preventDefault();
    clearError();
    api
      .post('/session/demo', { user: byId('demo-user').value })
      .then((status) => onSignedIn(status, `Signed in as ${status.who.user}.`))
      .catch(onError);
  });
  byId('token-signin').addEventListener('submit', (event) => {
    event.preventDefault();
    clearError();
    const input = byId('signin-token');
    const token = input.value.trim();
    api
      .post('/session/token', { token })
      .then((status) => {
        input.value = '';
        return onSignedIn(status, `Signed in with token ${status.who.name}.`);
      })
      .catch(onError);
  });
  byId('sign-out').addEventListener('click', () => {
    clearError();
    api
      .delete('/session')
      .then((status) => onSignedIn(status, 'Signed out.'))
      .catch(onError);
  });
  byId('claim-button').addEventListener('click', () => claim().catch(onError));
}
