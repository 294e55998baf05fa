// The token list: a table with Hide expired / Hide revoked, an owner filter
// for admins, and the actions of each token.
import { api, query, seg } from './api.js';
import { confirmAction, editComment, showEvents, showShareLink } from './dialogs.js';
import { announce, byId, clearError, dateText, h, show } from './dom.js';
import { showSecret } from './secret.js';
import { canManage, isAdmin, ownUser, state } from './state.js';

const PAGE_SIZE = 50;
let cursor = null;
let reportError = () => {};

const TYPE_WORDS = {
  administrative: 'Administrative',
  personal: 'Personal',
  master: 'Master',
  limited: 'Limited',
};
const STATUS_WORDS = { active: 'Active', disabled: 'Disabled', expired: 'Expired', revoked: 'Revoked' };

/** A live token switched off (`enabled: false`) shows as disabled: it verifies nowhere until enabled. */
function statusOf(token) {
  return token.status === 'active' && token.enabled === false ? 'disabled' : token.status;
}

function listQuery() {
  const owner = byId('owner-filter-user').value.trim();
  const params = {
    tenant: state.status.tenant,
    hideExpired: byId('hide-expired').checked,
    hideRevoked: byId('hide-revoked').checked,
    limit: PAGE_SIZE,
    cursor: cursor ?? undefined,
  };
  if (isAdmin() && owner === '') params.all = true;
  else if (isAdmin()) params.owner = owner;
  else if (ownUser() === null) params.all = true;
  return params;
}

function caption() {
  const owner = byId('owner-filter-user').value.trim();
  if (!isAdmin()) return ownUser() === null ? 'Tokens' : `Tokens of ${ownUser()}`;
  return owner === '' ? `Every token of ${state.status.tenant}` : `Tokens of ${owner}`;
}

/** Loads the list again from the first page (or the next page, with `more`). */
export async function loadTokens(more = false) {
  if (!more) cursor = null;
  const page = await api.get(`/api/tokens${query(listQuery())}`);
  const body = byId('token-table').tBodies[0];
  if (!more) body.replaceChildren();
  for (const token of page.items) body.append(row(token));
  cursor = page.nextCursor;
  byId('token-caption').textContent = caption();
  show(byId('tokens-empty'), body.rows.length === 0);
  show(byId('load-more'), cursor !== null);
}

function actionButton(label, token, handler) {
  const button = h('button', { type: 'button', className: 'small', 'aria-describedby': `token-${token.id}` }, label);
  button.addEventListener('click', () => {
    clearError();
    handler(token).catch(reportError);
  });
  return button;
}

/** The actions this visitor may take on this token now; the server decides again on each. */
function actions(token) {
  const buttons = [];
  const live = token.status === 'active';
  if (live && canManage()) {
    const master = token.type === 'master';
    if (!master) buttons.push(actionButton('Edit comment', token, commentOn));
    if (token.enabled === false) buttons.push(actionButton('Enable', token, enable));
    else buttons.push(actionButton('Disable', token, disable));
    buttons.push(actionButton('Rotate', token, rotate));
    if (!master) buttons.push(actionButton('Share', token, share));
    if (!master) buttons.push(actionButton('Revoke', token, revoke));
  }
  buttons.push(actionButton('Events', token, showEvents));
  return h('div', { className: 'actions' }, ...buttons);
}

function row(token) {
  return h(
    'tr',
    { className: `status-${statusOf(token)}` },
    h('th', { scope: 'row', id: `token-${token.id}` }, token.name),
    h('td', {}, TYPE_WORDS[token.type] ?? token.type),
    h('td', {}, token.owner ?? '—'),
    h('td', { className: 'comment' }, token.comment),
    h('td', {}, h('span', { className: `badge ${statusOf(token)}` }, STATUS_WORDS[statusOf(token)] ?? token.status)),
    h('td', {}, dateText(token.expiresAt)),
    h('td', {}, dateText(token.lastUsedAt)),
    h('td', {}, actions(token)),
  );
}

async function commentOn(token) {
  const comment = await editComment(token);
  if (comment === null) return;
  await api.patch(`/api/tokens/${seg(token.id)}`, { comment });
  announce(`Comment of ${token.name} saved.`);
  await loadTokens();
}

// Disabling is undone by enabling, so it asks no confirmation (Revoke, which is final, does).
async function disable(token) {
  await api.post(`/api/tokens/${seg(token.id)}/disable`, {});
  announce(`${token.name} is disabled: it is refused until enabled again.`);
  await loadTokens();
}

async function enable(token) {
  await api.post(`/api/tokens/${seg(token.id)}/enable`, {});
  announce(`${token.name} is enabled again.`);
  await loadTokens();
}

async function rotate(token) {
  const sure = await confirmAction(
    `Rotate ${token.name}?`,
    'A new secret is made and shown once. The current secret stops working now, wherever it is used.',
  );
  if (!sure) return;
  const rotated = await api.post(`/api/tokens/${seg(token.id)}/rotate`, {});
  showSecret(rotated.token, `New secret for ${token.name}`);
  await loadTokens();
}

async function share(token) {
  const sure = await confirmAction(
    `Share ${token.name}?`,
    'This makes a one-time link instead of sending the token. Whoever opens it first gets a new secret ' +
      'for this token, and the current secret stops working then.',
  );
  if (!sure) return;
  const shared = await api.post(`/api/tokens/${seg(token.id)}/share`, {});
  showShareLink(token, shared, state.status.shareUrl);
}

async function revoke(token) {
  const sure = await confirmAction(
    `Revoke ${token.name}?`,
    'The token stops working at once, everywhere. This cannot be undone.',
  );
  if (!sure) return;
  await api.delete(`/api/tokens/${seg(token.id)}`);
  announce(`${token.name} is revoked.`);
  await loadTokens();
}

export function setUpTokens(onError) {
  reportError = onError;
  const reload = () => loadTokens().catch(onError);
  byId('hide-expired').addEventListener('change', reload);
  byId('hide-revoked').addEventListener('change', reload);
  byId('load-more').addEventListener('click', () => loadTokens(true).catch(onError));
  byId('owner-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    reload();
  });
}

/** Shows the list for the signed-in visitor. */
export function renderTokens() {
  show(byId('tokens'), state.status.signedIn);
  show(byId('owner-filter'), isAdmin());
  if (!state.status.signedIn) {
    byId('token-table').tBodies[0].replaceChildren();
    return Promise.resolve();
  }
  return loadTokens();
}
