// The tokens page: asks the server who is signed in, then shows the parts
// that visitor may use. The server decides every call again; what is hidden
// here is only what would be refused there.
import { api } from './api.js';
import { renderCreate, setUpCreate } from './create.js';
import { setUpDialogs } from './dialogs.js';
import { announce, byId, showError } from './dom.js';
import { renderPolicies, setUpPolicies } from './policies.js';
import { hideSecret, setUpSecret } from './secret.js';
import { renderAccount, setUpSignIn } from './signin.js';
import { state } from './state.js';
import { renderTokens, setUpTokens } from './tokens.js';

async function render() {
  renderAccount();
  renderPolicies();
  await renderCreate();
  await renderTokens();
}

async function refresh() {
  state.status = await api.get('/session');
  await render();
}

/** Errors go to the alert region; a sign-in that has ended takes the visitor back to sign-in. */
function onError(error) {
  showError(error);
  const ended = error?.status === 401;
  if (ended) refresh().catch(showError);
}

async function onSignedIn(status, message) {
  hideSecret();
  state.status = status;
  await render();
  announce(message);
  byId('main').focus();
}

setUpSecret();
setUpDialogs(onError);
setUpTokens(onError);
setUpCreate(onError);
setUpPolicies(onError);
setUpSignIn(onSignedIn, onError);
refresh().catch(showError);
