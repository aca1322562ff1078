// The reports' CSV export (reseller_app/pages/reports.py): streams the file with fetch, counting lines against
// the X-Total-Rows header to move the progress bar, then hands the file to the browser. The server keeps its
// memory flat whatever the number of rows. A static script, so the page's CSP needs no 'unsafe-eval'.
window.portalExport = async (url) => {
  const bar = document.getElementById('export-progress');
  const label = document.getElementById('export-status');
  const box = document.getElementById('export-box');
  box.style.display = 'flex'; bar.value = 0; label.textContent = 'Starting export…';
  const res = await fetch(url, {credentials: 'same-origin'});
  if (!res.ok) { label.textContent = 'Export failed (' + res.status + ').'; return; }
  const total = parseInt(res.headers.get('X-Total-Rows') || '0', 10);
  const m = (res.headers.get('Content-Disposition') || '').match(/filename="([^"]+)"/);
  const reader = res.body.getReader();
  const chunks = []; let lines = 0;
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    chunks.push(value);
    for (let i = 0; i < value.length; i++) if (value[i] === 10) lines++;
    const rows = Math.max(0, lines - 1);
    bar.value = total ? Math.min(100, Math.round(100 * rows / total)) : 100;
    label.textContent = 'Exporting… ' + rows.toLocaleString() + ' of ' + total.toLocaleString() + ' rows';
  }
  bar.value = 100;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob(chunks, {type: 'text/csv'}));
  a.download = m ? m[1] : 'report.csv';
  document.body.appendChild(a); a.click(); a.remove();
  label.textContent = 'Exported ' + Math.max(0, lines - 1).toLocaleString() + ' rows.';
};

// Another report tab: the last export's progress and "Exported N rows." belong to the report it came from.
window.portalExportReset = () => {
  const box = document.getElementById('export-box');
  const label = document.getElementById('export-status');
  if (box) box.style.display = 'none';
  if (label) label.textContent = '';
};
