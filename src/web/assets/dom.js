// Small DOM helpers for the tokens page. Text always goes in as text nodes,
// never as HTML, so nothing a token's name or comment holds can run.

/** The element with this id (the page's markup is fixed, so it exists). */
export function byId(id) {
  return document.getElementById(id);
}

/** Builds an element: `h('td', { className: 'x' }, 'text', child)`. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key in element && !key.startsWith('aria') && !key.startsWith('data')) element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function show(element, visible) {
  element.hidden = !visible;
}

const status = () => byId('status');
const alertBox = () => byId('alert');

/** Says something to everyone, screen readers included (a polite live region). */
export function announce(text) {
  status().textContent = text;
}

/** Shows an error where screen readers announce it at once. */
export function showError(error) {
  const box = alertBox();
  box.textContent = describeError(error);
  box.hidden = false;
}

export function clearError() {
  const box = alertBox();
  box.textContent = '';
  box.hidden = true;
}

const DAY = 86_400_000;
const UNITS = [
  [365 * DAY, 'year'],
  // A month is 30 days, as the service counts `'1mo'`.
  [30 * DAY, 'month'],
  [DAY, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

/** Milliseconds in words: 86400000 → "1 day", 2592000000 → "1 month", 7776000000 → "3 months". */
export function durationWords(ms) {
  for (const [size, unit] of UNITS) {
    if (ms >= size && ms % size === 0) {
      const count = ms / size;
      return `${count} ${unit}${count === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}

/** A date for people, in their own locale and time zone; `null` reads as `none`. */
export function dateText(value, none = 'Never') {
  if (value === null || value === undefined) return none;
  const date = new Date(value);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Where a maximum lifetime comes from, in words. */
export function sourceWords(source) {
  if (source.kind === 'user') return `the user policy of ${source.name}`;
  if (source.kind === 'role') return `the role policy of ${source.name}`;
  return 'the system maximum';
}

const MESSAGES = {
  token_missing: 'You are not signed in.',
  token_invalid: 'That token is invalid, expired or revoked.',
  token_expired: 'That token is invalid, expired or revoked.',
  token_revoked: 'That token is invalid, expired or revoked.',
  token_disabled: 'That token is disabled. Enable it again to use it.',
  unavailable: 'The token service is unavailable. Try again in a moment.',
};

/** An API error in words: the server's message, naming the field or the limit it gives. */
export function describeError(error) {
  if (error === null || typeof error !== 'object') return String(error);
  const known = MESSAGES[error.code];
  if (known !== undefined) return known;
  let text = error.message || 'Something went wrong.';
  if (typeof error.limit === 'number') text += ` (limit: ${durationWords(error.limit)})`;
  return text;
}

/** Copies text to the clipboard; falls back to selecting it where the Clipboard API is refused. */
export async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (input === undefined) return false;
    input.focus();
    input.select();
    return document.execCommand('copy');
  }
}
