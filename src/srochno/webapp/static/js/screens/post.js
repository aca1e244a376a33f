// Post an order: the API's field rules checked as you type, its answer shown as it comes.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { categoryTitle, errorText, t } from '../i18n.js';
import { length, ORDER_LIMITS, orderProblems, rawRange, trimmed } from '../rules.js';
import { field, state, toast } from '../state.js';
import { currentPosition } from '../geo.js';
import { guardClosing, setMainButton } from '../tg.js';

function problemText(name, problem) {
  if (problem === 'required') return t('required');
  if (problem === 'not_a_place') return t('not_a_place');
  const { min, max } = ORDER_LIMITS[name];
  return problem === 'too_short' ? t('too_short', { n: min }) : t('too_long', { n: max });
}

export async function renderPost(ctx) {
  // The profile may still be loading (opened straight on this screen): it says which phone
  // Telegram verified.
  const me = state.me || (state.userId ? await state.refreshMe().catch(() => null) : null);
  if (!ctx.alive()) return null;
  const fields = {
    category: field(t('post_category'), h('select', { name: 'category' },
      h('option', { value: '', text: t('post_choose') }),
      state.categories.map((c) => h('option', { value: c.slug, text: categoryTitle(c) })))),
    description: field(t('post_description'),
      h('textarea', { name: 'description', rows: 5, attrs: { maxlength: ORDER_LIMITS.description.max + 200 } }),
      t('post_description_hint')),
    city: field(t('post_city'), h('input', { name: 'city', type: 'text', attrs: { autocomplete: 'address-level2' } })),
    contact: field(t('post_contact'), h('input', { name: 'contact', type: 'text', attrs: { autocomplete: 'tel' } }),
      t('post_contact_hint')),
  };
  // The phone Telegram verified is offered as the contact (executors see it verified).
  const phone = me && me.verified_phone;
  if (phone) {
    fields.contact.wrap.appendChild(h('button', {
      type: 'button', class: 'small secondary use-phone', text: `${t('post_use_phone')}: ${phone}`,
      on: { click: () => { fields.contact.control.value = phone; fields.contact.control.dispatchEvent(new Event('change')); } },
    }));
  }
  const saved = JSON.parse(localStorage.getItem('srochno.feed') || '{}');
  if (saved.city) fields.city.control.value = saved.city;
  const counter = h('span', { class: 'counter muted small' });
  const updateCounter = () => {
    counter.textContent = t('counter', { n: length(fields.description.control.value), max: ORDER_LIMITS.description.max });
  };
  fields.description.wrap.insertBefore(counter, fields.description.wrap.querySelector('.hint'));
  updateCounter();
  const touched = new Set();
  const values = () => Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.control.value]));
  const check = (all = false) => {
    const problems = orderProblems(values());
    for (const [name, f] of Object.entries(fields)) {
      f.setError(all || touched.has(name) ? (problems[name] && problemText(name, problems[name])) : '');
    }
    return problems;
  };
  for (const [name, f] of Object.entries(fields)) {
    f.control.addEventListener('input', () => {
      updateCounter();
      if (touched.has(name)) check();
      // A half-typed order is not lost without a question (Telegram asks before closing).
      guardClosing(Boolean(fields.description.control.value.trim() || fields.contact.control.value.trim()));
    });
    f.control.addEventListener('change', () => { touched.add(name); check(); });
    f.control.addEventListener('blur', () => { touched.add(name); check(); });
  }
  // The exact place: private like the contact; everybody else sees a ~1 km area.
  const located = h('input', { type: 'checkbox', name: 'located' });
  const address = field(t('post_address'), h('input', { name: 'address', type: 'text', attrs: { maxlength: 200, autocomplete: 'street-address' } }));
  address.wrap.hidden = true;
  located.addEventListener('change', () => { address.wrap.hidden = !located.checked; });
  const form = h('form', { class: 'form', attrs: { novalidate: true } },
    h('p', { class: 'muted', text: t('post_free') }), Object.values(fields).map((f) => f.wrap),
    h('label', { class: 'choice' }, located, h('span', { text: t('post_location') })), address.wrap);

  async function submit() {
    if (Object.keys(check(true)).length) return;
    const body = Object.fromEntries(Object.entries(values()).map(([k, v]) => [k, k === 'category' ? v : trimmed(v)]));
    if (located.checked) {
      const position = await currentPosition();
      if (position) {
        body.location = position;
        if (trimmed(address.control.value)) body.address = trimmed(address.control.value);
      } else {
        toast(t('feed_near_none'), 'info');
      }
    }
    try {
      const order = await api('/api/orders', { method: 'POST', body });
      guardClosing(false);
      toast(t('post_done'), 'success');
      ctx.navigate(`order/${order.id}`);
    } catch (error) {
      if (error.code === 'contact_in_description') {
        // The API names the field and the span (code points of the trimmed text): select it.
        const { field: name = 'description', start = 0, end = 0 } = error.body || {};
        const f = name === 'address' ? address : fields[name] || fields.description;
        const [from, to] = rawRange(f.control.value, start, end);
        f.setError(errorText(error.code), f.control.value.slice(from, to));
        f.control.focus();
        f.control.setSelectionRange(from, to);
      } else if (error.code === 'validation_error' && Array.isArray(error.detail)) {
        for (const issue of error.detail) {
          const name = issue.loc && issue.loc[issue.loc.length - 1];
          if (fields[name]) fields[name].setError(errorText('validation_error'));
        }
      } else {
        state.showError(error);
      }
    }
  }

  form.addEventListener('submit', (event) => { event.preventDefault(); submit(); });
  mount(ctx.el, h('h1', { text: t('post_title') }), form);
  setMainButton(t('post_submit'), submit);
  return () => guardClosing(false);
}
