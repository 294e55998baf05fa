// The create form: name, expiry (the choices the policy allows), comment,
// type and FOR USER for admins, and grants.
import { api, seg } from './api.js';
import { announce, byId, clearError, durationWords, h, show, sourceWords } from './dom.js';
import { showSecret } from './secret.js';
import { isAdmin, ownUser, state } from './state.js';
import { loadTokens } from './tokens.js';

const DAY = 86_400_000;
// CloudBeaver's expiry choices in the service's own units: a month ('1mo') is 30 days, a year ('1y') 365.
const CHOICES = [
  { label: '1 day', ttl: '1d', ms: DAY },
  { label: '1 week', ttl: '1w', ms: 7 * DAY },
  { label: '1 month', ttl: '1mo', ms: 30 * DAY },
  { label: '1 year', ttl: '1y', ms: 365 * DAY },
];
const NO_EXPIRY = 'none';

/**
 * The expiry choices under a policy explanation (`null`: not known, as for
 * administrative tokens). A maximum between the fixed choices is offered as
 * its own choice, so the longest allowed lifetime can always be picked.
 */
function choicesFor(policy) {
  const max = policy === null ? Number.POSITIVE_INFINITY : policy.maxTtl;
  const list = CHOICES.filter((choice) => choice.ms <= max);
  if (policy !== null && !CHOICES.some((choice) => choice.ms === max) && max < CHOICES.at(-1).ms) {
    list.push({ label: `${durationWords(max)} (the longest allowed)`, ttl: max, ms: max });
  }
  list.sort((a, b) => a.ms - b.ms);
  // No expiry only where no user or role policy applies (the service's rule).
  const noExpiry = state.status.allowNoExpiry && (policy === null || policy.source.kind === 'system');
  if (noExpiry) list.push({ label: 'No expiry (not recommended)', ttl: NO_EXPIRY, ms: Number.POSITIVE_INFINITY });
  return list;
}

function renderExpiry(policy) {
  const select = byId('create-expires');
  const choices = choicesFor(policy);
  select.replaceChildren(...choices.map((choice) => h('option', { value: String(choice.ttl) }, choice.label)));
  // Preselect the longest finite choice up to a year (Database Lab's default).
  const finite = choices.filter((choice) => Number.isFinite(choice.ms));
  if (finite.length > 0) select.value = String(finite.at(-1).ttl);
  const hint = byId('create-expires-hint');
  if (policy === null) hint.textContent = 'The service refuses a lifetime above its maximum.';
  else {
    const capped = policy.capped ? ' (capped at the system maximum)' : '';
    hint.textContent = `Longest allowed: ${durationWords(policy.maxTtl)}, set by ${sourceWords(policy.source)}${capped}.`;
  }
}

/** The policy for the token being made: its future owner's, or none for administrative tokens. */
async function policyForForm() {
  const type = byId('create-type').value;
  const owner = byId('create-owner').value.trim();
  if (type === 'administrative') return null;
  if (owner === '' || owner === ownUser()) return state.status.policy ?? null;
  try {
    const query = `?tenant=${seg(state.status.tenant)}`;
    return await api.get(`/api/policies/users/${seg(owner)}${query}`);
  } catch {
    // An unknown user: the service names the problem when the form is sent.
    return null;
  }
}

async function refreshExpiry() {
  renderExpiry(await policyForForm());
}

// ------------------------------------------------------------------ grants

let grantCount = 0;

function grantRow() {
  grantCount += 1;
  const n = grantCount;
  const kind = h(
    'select',
    { id: `grant-kind-${n}` },
    h('option', { value: 'bucket' }, 'Bucket'),
    h('option', { value: 'component' }, 'Component'),
    h('option', { value: 'scope' }, 'Scope'),
  );
  const name = h('input', { id: `grant-name-${n}`, autocomplete: 'off', required: true });
  const access = h('select', { id: `grant-access-${n}` });
  const accessField = h('span', { className: 'field' }, h('label', { for: `grant-access-${n}` }, 'Access'), access);
  const setAccess = () => {
    const options =
      kind.value === 'bucket'
        ? [
            ['read', 'Read'],
            ['write', 'Read and write'],
          ]
        : [
            ['run,configure', 'Run and configure'],
            ['run', 'Run'],
            ['configure', 'Configure'],
          ];
    access.replaceChildren(...options.map(([value, label]) => h('option', { value }, label)));
    show(accessField, kind.value !== 'scope');
  };
  kind.addEventListener('change', setAccess);
  setAccess();
  const remove = h('button', { type: 'button', className: 'secondary small' }, 'Remove grant');
  const rowElement = h(
    'div',
    { className: 'grant row', role: 'group', 'aria-label': `Grant ${n}` },
    h('span', { className: 'field' }, h('label', { for: `grant-kind-${n}` }, 'Kind'), kind),
    h('span', { className: 'field' }, h('label', { for: `grant-name-${n}` }, 'Resource'), name),
    accessField,
    remove,
  );
  remove.addEventListener('click', () => {
    rowElement.remove();
    byId('add-grant').focus();
  });
  return rowElement;
}

function grantsOf() {
  return [...byId('grant-rows').querySelectorAll('.grant')].map((row) => {
    const [kind, access] = row.querySelectorAll('select');
    const name = row.querySelector('input').value.trim();
    if (kind.value === 'bucket') return { bucket: name, access: access.value };
    if (kind.value === 'scope') return { scope: name };
    const actions = access.value.split(',');
    return actions.length === 2 ? { component: name } : { component: name, actions };
  });
}

function renderGrantsHint() {
  const limited = byId('create-type').value === 'limited';
  byId('grants-hint').textContent = limited
    ? 'A limited token can do nothing but what is granted here, and never more than its owner can.'
    : 'Optional: grants narrow the token; without any it has its owner’s privileges, as they are at each use.';
}

// ------------------------------------------------------------------ form

function onTypeChange() {
  const administrative = byId('create-type').value === 'administrative';
  show(byId('create-owner-field'), isAdmin() && !administrative);
  renderGrantsHint();
  return refreshExpiry();
}

function issueInput() {
  const type = byId('create-type').value;
  const input = { tenant: state.status.tenant, type };
  const name = byId('create-name').value.trim();
  if (name !== '') input.name = name;
  const expires = byId('create-expires').value;
  input.ttl = expires === NO_EXPIRY ? null : /^\d+$/.test(expires) ? Number(expires) : expires;
  const comment = byId('create-comment').value;
  if (comment !== '') input.comment = comment;
  const owner = byId('create-owner').value.trim();
  if (isAdmin() && type !== 'administrative' && owner !== '') input.owner = owner;
  const grants = grantsOf();
  if (grants.length > 0 || type === 'limited') input.grants = grants;
  return input;
}

const FIELDS = { name: 'create-name', ttl: 'create-expires', comment: 'create-comment', type: 'create-type' };

/** The control a refused field names (`name`, `ttl`, `grants[1].bucket`, …), if the form has one. */
function controlOf(field) {
  const grant = /^grants\[(\d+)\]/.exec(field ?? '');
  if (grant !== null) return byId('grant-rows').querySelectorAll('.grant input')[Number(grant[1])] ?? null;
  if (field === 'owner') return byId('create-owner');
  return FIELDS[field] === undefined ? null : byId(FIELDS[field]);
}

/** Marks the control the server refused, ties it to the alert, and moves the focus there. */
function markInvalid(error) {
  const control = controlOf(error?.field);
  if (control === null || control.hidden) return;
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-errormessage', 'alert');
  control.focus();
}

function clearInvalid() {
  for (const control of byId('create-form').querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    control.removeAttribute('aria-errormessage');
  }
}

async function create(event) {
  event.preventDefault();
  clearError();
  clearInvalid();
  let issued;
  try {
    issued = await api.post('/api/tokens', issueInput());
  } catch (error) {
    markInvalid(error);
    throw error;
  }
  byId('create-form').reset();
  byId('grant-rows').replaceChildren();
  await onTypeChange();
  showSecret(issued.token, `Your new token ${issued.info.name}`);
  announce(`Token ${issued.info.name} created. Copy it now: it is shown once.`);
  await loadTokens();
}

export function setUpCreate(onError) {
  byId('create-form').addEventListener('submit', (event) => create(event).catch(onError));
  byId('create-type').addEventListener('change', () => onTypeChange().catch(onError));
  byId('create-owner').addEventListener('change', () => refreshExpiry().catch(onError));
  byId('add-grant').addEventListener('click', () => {
    const row = grantRow();
    byId('grant-rows').append(row);
    row.querySelector('select').focus();
  });
}

/** Shows the form to visitors who may create tokens (not token sign-ins). */
export function renderCreate() {
  const visible = state.status.signedIn && state.status.canManage;
  show(byId('create'), visible);
  if (!visible) return Promise.resolve();
  const administrative = byId('create-type').querySelector('option[value="administrative"]');
  administrative.hidden = !isAdmin();
  administrative.disabled = !isAdmin();
  if (!isAdmin() && byId('create-type').value === 'administrative') byId('create-type').value = 'personal';
  // The system has no tokens of its own: it names an owner, or makes administrative tokens.
  byId('create-owner-hint').textContent =
    ownUser() === null ? 'Required: the user the token is for.' : 'Empty: for yourself.';
  return onTypeChange();
}
