// Modal dialogs: confirmation, comment, share link, events. Native <dialog>
// keeps focus inside while open and closes on Escape; on close, focus goes
// back to the button that opened it.
import { api, query, seg } from './api.js';
import { byId, copyText, dateText, h, show } from './dom.js';

function open(dialog) {
  const opener = document.activeElement;
  dialog.addEventListener(
    'close',
    () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    },
    { once: true },
  );
  dialog.showModal();
}

/** Asks before something that cannot be undone; resolves true on "Confirm". */
export function confirmAction(title, text) {
  const dialog = byId('confirm-dialog');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  return new Promise((resolve) => {
    const yes = byId('confirm-yes');
    const no = byId('confirm-no');
    const finish = (answer) => {
      yes.removeEventListener('click', onYes);
      no.removeEventListener('click', onNo);
      dialog.removeEventListener('cancel', onNo);
      dialog.close();
      resolve(answer);
    };
    const onYes = () => finish(true);
    const onNo = () => finish(false);
    yes.addEventListener('click', onYes);
    no.addEventListener('click', onNo);
    dialog.addEventListener('cancel', onNo);
    open(dialog);
    no.focus();
  });
}

/** Edits a comment; resolves the new text, or null when cancelled. */
export function editComment(token) {
  const dialog = byId('comment-dialog');
  const form = byId('comment-form');
  const input = byId('comment-value');
  byId('comment-title').textContent = `Edit comment of ${token.name}`;
  input.value = token.comment;
  return new Promise((resolve) => {
    const finish = (value) => {
      form.removeEventListener('submit', onSubmit);
      byId('comment-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      resolve(value);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      finish(input.value);
    };
    const onCancel = () => finish(null);
    form.addEventListener('submit', onSubmit);
    byId('comment-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    open(dialog);
    input.focus();
  });
}

/** Shows a share link; the claim code is in the fragment, which no server ever receives. */
export function showShareLink(token, share, shareUrl) {
  const link = `${shareUrl}#claim=${encodeURIComponent(share.code)}`;
  byId('share-title').textContent = `Share link for ${token.name}`;
  byId('share-text').textContent =
    `Send this link to the person who needs the token. It works once, until ${dateText(share.expiresAt)}: ` +
    'opening it gives the token a new secret, and the current secret stops working.';
  byId('share-link').value = link;
  byId('share-copy-status').textContent = '';
  open(byId('share-dialog'));
  byId('share-link').select();
}

function eventDetail(event) {
  if (event.type === 'used') return event.operation;
  if (event.detail === null) return '';
  return Object.entries(event.detail)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

let eventsOf = null;
let eventsCursor = null;

async function loadEvents(reset) {
  const body = byId('events-table').tBodies[0];
  if (reset) body.replaceChildren();
  const page = await api.get(
    `/api/tokens/${seg(eventsOf.id)}/events${query({ limit: 50, cursor: eventsCursor ?? undefined })}`,
  );
  for (const event of page.items) {
    body.append(
      h(
        'tr',
        {},
        h('td', {}, dateText(event.at)),
        h('td', {}, event.type.replace('_', ' ')),
        h('td', {}, event.actor),
        h('td', {}, eventDetail(event)),
      ),
    );
  }
  if (body.rows.length === 0) body.append(h('tr', {}, h('td', { colSpan: 4 }, 'No events yet.')));
  eventsCursor = page.nextCursor;
  show(byId('events-more'), eventsCursor !== null);
}

/** Opens the history of a token (newest first). */
export async function showEvents(token) {
  eventsOf = token;
  eventsCursor = null;
  byId('events-title').textContent = `Events of ${token.name}`;
  byId('events-caption').textContent = `History of ${token.name}, newest first`;
  await loadEvents(true);
  open(byId('events-dialog'));
}

export function setUpDialogs(onError) {
  byId('share-copy').addEventListener('click', async () => {
    const input = byId('share-link');
    const copied = await copyText(input.value, input);
    byId('share-copy-status').textContent = copied ? 'Link copied.' : 'Select the link and copy it yourself.';
  });
  byId('share-close').addEventListener('click', () => byId('share-dialog').close());
  byId('events-close').addEventListener('click', () => byId('events-dialog').close());
  byId('events-more').addEventListener('click', () => loadEvents(false).catch(onError));
}
