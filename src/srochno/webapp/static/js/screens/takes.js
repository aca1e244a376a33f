// Orders I took: their contacts, refunds, and a complaint about the client.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { errorText, formatTime, t } from '../i18n.js';
import { COMMENT_MAX, trimmed } from '../rules.js';
import { field, state, statusBadge, toast } from '../state.js';
import { setMainButton } from '../tg.js';
import { orderCard } from './feed.js';

const REASONS = ['no_response', 'fake_order', 'wrong_contact', 'rude', 'other'];

export async function renderTakes(ctx) {
  const page = await api('/api/users/me/takes?limit=50');
  if (!ctx.alive()) return null;
  const cards = page.items.map(({ order, take }) => orderCard(order, {
    extra: h('div', { class: 'take-extra' },
      h('div', { class: 'row' }, statusBadge(order.status),
        h('span', { class: 'muted small', text: t('takes_paid', { n: take.price_paid, date: formatTime(take.taken_at) }) })),
      h('p', { class: 'contact' }, h('span', { class: 'label', text: `${t('order_contact')}: ` }), h('strong', { class: 'contact-value', text: order.contact })),
      take.refunded_at ? h('p', { class: 'note refunded', text: t('takes_refunded') }) : null,
      take.complained
        ? h('p', { class: 'muted small complained', text: t('takes_complained') })
        : h('a', { class: 'button small secondary', href: `#/complain/${order.id}`, text: t('takes_complain') })),
  }));
  mount(ctx.el, h('h1', { text: t('takes_title') }),
    cards.length ? h('div', { class: 'list' }, cards) : h('p', { class: 'empty muted', text: t('takes_empty') }));
  return null;
}

export async function renderComplaint(ctx) {
  const [orderId] = ctx.params;
  const reasons = REASONS.map((reason) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'reason', value: reason }),
    h('span', { text: t(`reason_${reason}`) })));
  const comment = field(t('complain_comment'), h('textarea', { name: 'comment', rows: 3, attrs: { maxlength: COMMENT_MAX } }));
  mount(ctx.el, h('h1', { text: t('complain_title') }),
    h('fieldset', { class: 'choices' }, h('legend', { text: t('complain_reason') }), reasons),
    comment.wrap);
  setMainButton(t('complain_submit'), async () => {
    // No reason is chosen beforehand (a default would bias the complaint).
    const chosen = ctx.el.querySelector('input[name=reason]:checked');
    if (!chosen) {
      toast(t('complain_choose'), 'error');
      return;
    }
    const reason = chosen.value;
    const text = trimmed(comment.control.value);
    try {
      await api('/api/reviews/executor', { method: 'POST', body: { order_id: orderId, reason, comment: text || null } });
      toast(t('complain_done'), 'success');
      ctx.navigate('takes');
    } catch (error) {
      if (error.code === 'contact_in_description') comment.setError(errorText(error.code));
      else state.showError(error);
    }
  });
  return null;
}
