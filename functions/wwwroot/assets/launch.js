// The partner's launch page: live previews of edits, contacts upload, schedule and the one-click launch.
// Every call carries the page's signed link in a header; every text from the server is set as text, never as HTML.
(function () {
  const root = document.getElementById('launch');
  if (!root) return;
  const token = root.dataset.token;
  const headers = { 'X-Tcma-Link': token };
  const $ = (s) => root.querySelector(s);
  const $$ = (s) => Array.from(root.querySelectorAll(s));

  function problemsInto(list, problem) {
    list.replaceChildren();
    const errors = problem.errors || {};
    const lines = Object.keys(errors).length ? Object.entries(errors).flatMap(([k, v]) => v.map((m) => `${k}: ${m}`)) : [problem.title || 'Something went wrong.'];
    for (const line of lines) { const li = document.createElement('li'); li.textContent = line; list.appendChild(li); }
    list.hidden = false;
  }

  const brandForm = document.getElementById('brand-form');
  if (brandForm) {
    brandForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const response = await fetch('/api/partner/launch/brand', { method: 'POST', headers, body: new FormData(brandForm) });
      if (response.ok) { location.reload(); return; }
      problemsInto(document.getElementById('brand-problems'), await response.json());
    });
    return;
  }

  // Previews: each image shows "rendering" until it has loaded.
  const images = $$('img.preview');
  let pending = images.length;
  const progress = document.getElementById('render-progress');
  function settle(img) {
    if (img.getAttribute('aria-busy') !== 'true') return;
    img.setAttribute('aria-busy', 'false');
    pending--;
    if (progress) progress.textContent = pending > 0 ? `Rendering ${pending} more image(s) with your brand…` : 'All previews are ready.';
  }
  for (const img of images) {
    if (img.complete && img.naturalWidth > 0) settle(img);
    img.addEventListener('load', () => settle(img));
    img.addEventListener('error', () => { settle(img); img.alt = 'This preview could not be rendered with these edits.'; });
  }

  function edits() {
    const query = new URLSearchParams();
    for (const input of $$('[data-edit]')) query.set('e.' + input.name, input.value);
    return query;
  }

  async function refreshTexts() {
    const query = edits();
    query.set('t', token);
    const response = await fetch('/api/partner/launch/preview?' + query, { headers });
    for (const p of $$('[data-edit-problem]')) p.hidden = true;
    if (!response.ok) {
      const problem = await response.json();
      for (const [field, messages] of Object.entries(problem.errors || {})) {
        const p = root.querySelector(`[data-edit-problem="${CSS.escape(field)}"]`);
        if (p) { p.textContent = messages.join(' '); p.hidden = false; }
      }
      return false;
    }
    const view = await response.json();
    for (const email of view.emails) {
      const s = root.querySelector(`[data-subject="${CSS.escape(email.id)}"]`);
      if (s) s.textContent = email.subject;
    }
    for (const post of view.social) {
      const p = root.querySelector(`[data-social="${CSS.escape(post.id)}"]`);
      if (p) p.textContent = post.text;
      const problem = root.querySelector(`[data-social-problem="${CSS.escape(post.id)}"]`);
      if (problem) { problem.textContent = post.problem || ''; problem.hidden = !post.problem; }
    }
    return true;
  }

  let timer;
  function rerender() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!(await refreshTexts())) return;
      const query = edits();
      query.set('t', token);
      for (const el of $$('.preview')) {
        if (el.tagName === 'IMG') { if (el.getAttribute('aria-busy') !== 'true') { pending++; el.setAttribute('aria-busy', 'true'); } }
        el.src = el.dataset.base + '?' + query;
      }
    }, 400);
  }
  for (const input of $$('[data-edit]')) input.addEventListener('input', rerender);
  refreshTexts();

  // Contacts
  let uploadId = null;
  const contacts = document.getElementById('contacts');
  const contactsResult = document.getElementById('contacts-result');
  contacts.addEventListener('change', async () => {
    if (!contacts.files.length) return;
    const form = new FormData();
    form.append('file', contacts.files[0]);
    contactsResult.textContent = 'Reading your contacts…';
    const response = await fetch('/api/partner/launch/contacts', { method: 'POST', headers, body: form });
    const body = await response.json();
    if (!response.ok) { uploadId = null; contactsResult.textContent = body.title; return; }
    uploadId = body.uploadId;
    contactsResult.textContent = `${body.imported} imported, ${body.withoutConsent} without consent (not emailed), ${body.duplicates} duplicates, ${body.invalid} invalid.`;
  });

  // Schedule
  const networks = () => $$('input[name=network]:checked').map((n) => n.value);
  const emailChosen = () => document.getElementById('channel-email').checked;
  async function refreshSchedule() {
    const query = new URLSearchParams({ t: token, start: $('#start').value, zone: $('#zone').value, email: emailChosen(), networks: networks().join(',') });
    const response = await fetch('/api/partner/launch/schedule?' + query, { headers });
    const body = $('#schedule tbody');
    body.replaceChildren();
    const missed = document.getElementById('schedule-missed');
    const view = await response.json();
    if (!response.ok) { missed.textContent = Object.values(view.errors || {}).flat().join(' ') || view.title; missed.hidden = false; return; }
    for (const t of view.touches) {
      const tr = document.createElement('tr');
      for (const text of [t.dueLocal, `${t.channel} ${t.content}`, t.state + (t.note ? ` (${t.note})` : '')]) { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); }
      body.appendChild(tr);
    }
    missed.textContent = view.missed ? `${view.missed} touch(es) cannot be sent any more: their send window will have closed.` : '';
    missed.hidden = !view.missed;
  }
  for (const el of [$('#start'), $('#zone'), document.getElementById('channel-email'), ...$$('input[name=network]')]) el.addEventListener('change', refreshSchedule);
  refreshSchedule();

  // Launch: the button is disabled while a launch is on its way; the server makes one launch per invitation anyway.
  const confirm = document.getElementById('confirm');
  const result = document.getElementById('launch-result');
  confirm.addEventListener('click', async () => {
    if (confirm.disabled) return;
    confirm.disabled = true;
    const e = {};
    for (const input of $$('[data-edit]')) e[input.name] = input.value;
    const request = { launchKey: root.dataset.launchKey, startDate: $('#start').value, timeZone: $('#zone').value, edits: e, email: emailChosen(), contacts: uploadId, networks: networks() };
    const response = await fetch('/api/partner/launch', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
    const body = await response.json();
    const problems = document.getElementById('launch-problems');
    if (!response.ok) { problemsInto(problems, body); confirm.disabled = false; return; }
    problems.hidden = true;
    result.replaceChildren();
    result.append(`${response.status === 201 ? 'Launched' : 'Already launched'}: ${body.launchId}. `);
    const a = document.createElement('a');
    a.href = body.statusUrl;
    a.textContent = 'See its status';
    result.appendChild(a);
    result.dataset.launchId = body.launchId;
    confirm.textContent = 'Launched';
  });
})();
