// "Copy" buttons (Reseller configuration, Interface & Access): copy the text of an element to the clipboard and say
// whether it worked. A static script called as a compiled function, so the page's CSP needs no 'unsafe-eval'.
// The Clipboard API needs a secure context (https or localhost); elsewhere the selection is copied the old way.
window.portalCopy = async (sourceId, statusId) => {
  const source = document.getElementById(sourceId);
  const status = document.getElementById(statusId);
  const say = (text, ok) => {
    if (!status) return;
    status.textContent = text;
    status.dataset.ok = ok ? '1' : '0';
    status.style.color = ok ? '#15803d' : '#b91c1c';
  };
  if (!source) { say('Nothing to copy.', false); return; }
  const text = source.innerText;
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard API here');
    await navigator.clipboard.writeText(text);
    say('Copied to the clipboard.', true);
    return;
  } catch (e) {
    // Fall back to copying a selection (works on plain http too).
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e2) { ok = false; }
    area.remove();
    say(ok ? 'Copied to the clipboard.' : 'Could not copy: select the text above and copy it by hand.', ok);
  }
};
