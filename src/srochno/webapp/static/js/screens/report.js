// Reporting an order to the moderators (POST /api/orders/{id}/report): a reason (none chosen
// beforehand), an optional comment, a confirmation, then the "reported" state. The API
// answers 409 already_reported the second time; the page also remembers the orders it
// reported, so the action is not offered again on this device.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { REPORT_COMMENT_MAX, trimmed } from '../rules.js';
import { field } from '../state.js';
import { haptic } from '../tg.js';

const REASONS = ['contact_in_text', 'fake', 'other'];
const STORE = 'srochno.reported';
const REMEMBERED = 200;

function remembered() {
  try {
    const ids = JSON.parse(localStorage.getItem(STORE) || '[]');
    return Array.isArray(ids) ? ids : [];
  } catch {
    return [];
  }
}

function remember(id) {
  const ids = remembered().filter((known) => known !== id);
  ids.push(id);
  localStorage.setItem(STORE, JSON.stringify(ids.slice(-REMEMBERED)));
}

/** The report action of an order's screen, or null when it is not offered (own order,
 * nobody signed in). One element for the screen's life: redraws keep its state. */
export function reportBlock(order, signedIn) {
  if (order.is_owner || !signedIn) return null;
  const el = h('section', { class: 'report', attrs: { 'aria-label': t('report_open') } });

  const showReported = (text) => {
    mount(el, h('p', { class: 'muted small report-done', attrs: { role: 'status' }, text }));
  };

  const showOpener = () => {
    mount(el, h('button', {
      type: 'button', class: 'small secondary report-open', text: t('report_open'), on: { click: showForm },
    }));
  };

  function showForm() {
    const choices = REASONS.map((reason) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name: 'report-reason', value: reason }),
      h('span', { text: t(`report_reason_${reason}`) })));
    const reasonError = h('p', { class: 'field-error', attrs: { role: 'alert' }, hidden: true });
    const comment = field(t('report_comment'),
      h('textarea', { name: 'report-comment', rows: 3, attrs: { maxlength: REPORT_COMMENT_MAX } }));
    const actions = h('div', { class: 'row report-actions' });
    const form = h('form', { class: 'card report-form', attrs: { novalidate: true } },
      h('fieldset', { class: 'choices' }, h('legend', { text: t('report_title') }), choices, reasonError),
      comment.wrap, actions);
    const chosen = () => {
      const checked = form.querySelector('input[name=report-reason]:checked');
      return checked ? checked.value : null;
    };
    const setReasonError = (text) => { reasonError.textContent = text || ''; reasonError.hidden = !text; };
    form.addEventListener('change', () => setReasonError(''));

    const askFirst = () => mount(actions,
      h('button', { type: 'submit', class: 'small', text: t('report_send') }),
      h('button', { type: 'button', class: 'small secondary', text: t('report_cancel'), on: { click: showOpener } }));

    const confirmStep = () => mount(actions,
      h('p', { class: 'report-confirm', text: t('report_confirm') }),
      h('button', { type: 'button', class: 'small danger', text: t('report_confirm_yes'), on: { click: send } }),
      h('button', { type: 'button', class: 'small secondary', text: t('report_cancel'), on: { click: askFirst } }));

    async function send(event) {
      event.target.disabled = true;
      const text = trimmed(comment.control.value);
      try {
        await api(`/api/orders/${encodeURIComponent(order.id)}/report`, {
          method: 'POST', body: { reason: chosen(), comment: text || null },
        });
        haptic('success');
        remember(order.id);
        showReported(t('report_done'));
      } catch (error) {
        haptic('error');
        if (error.code === 'already_reported') {
          remember(order.id);
          showReported(t('report_already'));
          return;
        }
        askFirst();
        if (error.code === 'validation_error') comment.setError(errorText(error.code));
        else setReasonError(errorText(error.code));
      }
    }

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!chosen()) {
        setReasonError(t('report_choose'));
        return;
      }
      confirmStep();
    });
    askFirst();
    mount(el, form);
  }

  if (remembered().includes(order.id)) showReported(t('report_already'));
  else showOpener();
  return el;
}
