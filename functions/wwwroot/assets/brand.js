// The brand page's live preview: every change of the form (a colour, the logo file, the name) asks the server to draw
// the brand as it stands, without saving it, and shows the banner, the email header and what the renderer adjusted.
// Every text from the server is set as text, never as HTML; the email header goes into a sandboxed frame.
(function () {
  const form = document.getElementById('brand-form');
  if (!form) return;
  const banner = document.getElementById('brand-banner');
  const email = document.getElementById('brand-email');
  const warnings = document.getElementById('brand-warnings');
  const none = document.getElementById('brand-no-warnings');
  const state = document.getElementById('preview-state');
  let timer;
  let asked = 0;

  async function refresh() {
    const mine = ++asked;
    state.textContent = 'Drawing your brand…';
    let response;
    try {
      response = await fetch('/api/partner/brand/preview', { method: 'POST', body: new FormData(form), credentials: 'same-origin' });
    } catch {
      state.textContent = 'The preview could not be drawn; saving still works.';
      return;
    }
    if (mine !== asked) return; // a newer change is on its way
    if (!response.ok) { state.textContent = 'The preview could not be drawn; saving still works.'; return; }
    const view = await response.json();
    for (const p of form.querySelectorAll('[data-problem]')) {
      const messages = view.problems[p.dataset.problem];
      p.textContent = messages ? messages.join(' ') : '';
      p.hidden = !messages;
      const field = form.querySelector(`[name="${CSS.escape(p.dataset.problem)}"]`);
      if (field) { if (messages) field.setAttribute('aria-invalid', 'true'); else field.removeAttribute('aria-invalid'); }
    }
    if (view.banner) { banner.src = view.banner; banner.hidden = false; } else { banner.hidden = true; }
    email.srcdoc = view.emailHeader;
    warnings.replaceChildren();
    for (const w of view.warnings) { const li = document.createElement('li'); li.textContent = w; warnings.appendChild(li); }
    none.hidden = view.warnings.length > 0;
    const problems = Object.keys(view.problems).length;
    state.textContent = (view.bannerKit ? `Banner of “${view.bannerKit}” with your brand.` : 'Your brand.') +
      (problems ? ` ${problems} field(s) to fix before you can save.` : '');
    state.dataset.drawn = String(mine);
  }

  function later() { clearTimeout(timer); timer = setTimeout(refresh, 350); }
  form.addEventListener('input', later);
  form.addEventListener('change', later);
  // A change made before this script ran (typed while the page was still loading) is drawn too.
  const changed = [...form.elements].some(e =>
    e.tagName === 'SELECT' ? [...e.options].some(o => o.selected !== o.defaultSelected)
    : e.type === 'checkbox' || e.type === 'radio' ? e.checked !== e.defaultChecked
    : e.type === 'file' ? e.files && e.files.length > 0
    : 'defaultValue' in e && e.type !== 'hidden' && e.value !== e.defaultValue);
  if (changed) later();
})();
