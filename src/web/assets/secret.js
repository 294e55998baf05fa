// The one place a secret appears: after create, rotate or claim. It is kept
// in the DOM only until "Done" (or the next secret), never in storage.
import { byId, copyText, show } from './dom.js';

export function showSecret(token, heading) {
  byId('secret-heading').textContent = heading;
  byId('secret-value').value = token;
  byId('copy-status').textContent = '';
  const section = byId('secret');
  show(section, true);
  section.focus();
}

export function hideSecret() {
  byId('secret-value').value = '';
  byId('copy-status').textContent = '';
  show(byId('secret'), false);
}

export function setUpSecret() {
  byId('copy').addEventListener('click', async () => {
    const input = byId('secret-value');
    const copied = await copyText(input.value, input);
    byId('copy-status').textContent = copied
      ? 'Copied to the clipboard.'
      : 'Could not copy: select the token and copy it yourself.';
  });
  byId('secret-done').addEventListener('click', () => {
    hideSecret();
    byId('main').focus();
  });
}
