// Duration policies, for admins: which policy sets a user's limit, and
// setting a user's or a role's maximum (Tengri's ALTER USER|ROLE … SET API
// TOKEN MAX DURATION).
import { api, seg } from './api.js';
import { announce, byId, clearError, durationWords, h, show, sourceWords } from './dom.js';
import { isAdmin, state } from './state.js';

function sourceLabel(source) {
  if (source.kind === 'system') return 'System maximum';
  return `${source.kind === 'user' ? 'User' : 'Role'} ${source.name}`;
}

function sameSource(a, b) {
  return a.kind === b.kind && a.name === b.name;
}

function renderExplanation(user, explanation) {
  const capped = explanation.capped ? ', capped at the system maximum' : '';
  const summary = h(
    'p',
    { className: 'explanation' },
    `The longest token ${user} may create lives ${durationWords(explanation.maxTtl)}: `,
    h('strong', {}, `set by ${sourceWords(explanation.source)}`),
    `${capped}.`,
  );
  const parts = [summary];
  if (explanation.applicable.length === 0) {
    parts.push(h('p', { className: 'hint' }, 'No user or role policy applies, so the system maximum does.'));
  } else {
    const rows = explanation.applicable.map((policy) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, sourceLabel(policy.source)),
        h('td', {}, durationWords(policy.maxTtl)),
        h('td', {}, sameSource(policy.source, explanation.source) ? 'Sets the limit (the longest applies)' : '—'),
      ),
    );
    parts.push(
      h(
        'table',
        { className: 'compact' },
        h('caption', {}, `Policies that apply to ${user}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Policy'),
            h('th', { scope: 'col' }, 'Maximum'),
            h('th', { scope: 'col' }, 'Effect'),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    );
  }
  byId('explanation').replaceChildren(...parts);
}

async function explain(event) {
  event.preventDefault();
  clearError();
  const user = byId('explain-user').value.trim();
  const explanation = await api.get(`/api/policies/users/${seg(user)}?tenant=${seg(state.status.tenant)}`);
  renderExplanation(user, explanation);
}

async function savePolicy(event) {
  event.preventDefault();
  clearError();
  const kind = byId('policy-kind').value;
  const name = byId('policy-name').value.trim();
  const max = byId('policy-max').value.trim();
  await api.put(`/api/policies/${kind}/${seg(name)}?tenant=${seg(state.status.tenant)}`, {
    maxTtl: max === '' ? null : max,
  });
  const subject = `${kind === 'users' ? 'user' : 'role'} ${name}`;
  announce(max === '' ? `The policy of ${subject} is removed.` : `Tokens of ${subject} now live at most ${max}.`);
  // The visitor's own limit may have changed.
  const explained = byId('explain-user').value.trim();
  if (explained !== '') await explain(new Event('submit'));
}

export function setUpPolicies(onError) {
  byId('explain-form').addEventListener('submit', (event) => explain(event).catch(onError));
  byId('policy-form').addEventListener('submit', (event) => savePolicy(event).catch(onError));
}

/** Admins who may change things see the policies. */
export function renderPolicies() {
  const visible = state.status.signedIn && isAdmin();
  show(byId('policies'), visible);
  show(byId('policy-form'), visible && state.status.canManage);
  if (!visible) byId('explanation').replaceChildren();
}
