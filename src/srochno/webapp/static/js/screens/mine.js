// My orders: who took them, respond, complete with one of the takers, rate them.

import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { COMMENT_MAX, trimmed } from '../rules.js';
import { field, ratingText, state, statusBadge, toast } from '../state.js';
import { confirmAction, setMainButton } from '../tg.js';
import { orderCard } from './feed.js';

const OPEN = new Set(['active', 'expired']);

async function act(promise, done, redraw) {
  try {
    await promise;
    if (done) toast(done, 'success');
  } catch (error) {
    state.showError(error);
  }
  await redraw();
}

/** Ask first (Telegram's popup inside Telegram), then act. */
async function confirmed(question, run, done, redraw) {
  if (!(await confirmAction(question))) return;
  await act(run(), done, redraw);
}

function takerRow(order, taker, redraw) {
  const name = taker.first_name || `#${taker.executor_id}`;
  const buttons = [];
  if (OPEN.has(order.status)) {
    buttons.push(h('button', {
      type: 'button', class: 'small', text: t('mine_complete'),
      on: { click: () => confirmed(t('mine_complete_confirm', { name }), () => api(`/api/orders/${order.id}/complete`, { method: 'POST', body: { executor_id: taker.executor_id } }), t('mine_completed'), redraw) },
    }));
  }
  buttons.push(taker.reviewed_by_me
    ? h('span', { class: 'muted small', text: t('mine_rated') })
    : h('a', { class: 'button small secondary', href: `#/rate/${order.id}/${taker.executor_id}`, text: t('mine_rate') }));
  return h('li', { class: 'taker', dataset: { executorId: taker.executor_id } },
    h('a', { href: `#/user/${taker.executor_id}`, class: 'taker-name', text: name }),
    h('span', { class: 'muted small', text: ratingText(taker) }),
    h('span', { class: 'actions' }, buttons));
}

async function orderBlock(order, redraw) {
  const parts = [h('div', { class: 'row' }, statusBadge(order.status), h('span', { class: 'muted small', text: t('order_contact') + ': ' + order.contact }))];
  if (order.executors_count > 0) {
    const takers = await api(`/api/orders/${order.id}/takers`);
    const completedBy = takers.find((taker) => taker.executor_id === order.completed_executor_id);
    if (completedBy) parts.push(h('p', { class: 'muted', text: t('mine_completed_by', { name: completedBy.first_name || completedBy.executor_id }) }));
    if (OPEN.has(order.status) && !order.responded_at) {
      parts.push(h('p', { class: 'hint', text: t('mine_respond_hint') }),
        h('button', { type: 'button', class: 'respond', text: t('mine_respond'), on: { click: () => confirmed(t('mine_respond_confirm'), () => api(`/api/orders/${order.id}/respond`, { method: 'POST' }), t('mine_responded'), redraw) } }));
    } else if (order.responded_at && order.status !== 'completed') {
      parts.push(h('p', { class: 'muted small', text: t('mine_responded') }));
    }
    parts.push(h('h3', { text: t('mine_takers') }), h('ul', { class: 'takers' }, takers.map((taker) => takerRow(order, taker, redraw))));
  } else {
    parts.push(h('p', { class: 'muted small', text: t('mine_no_takers') }));
    if (order.status === 'active') {
      parts.push(h('button', { type: 'button', class: 'small danger', text: t('mine_delete'), on: { click: () => confirmed(t('mine_delete_confirm'), () => api(`/api/orders/${order.id}`, { method: 'DELETE' }), t('mine_deleted'), redraw) } }));
    }
  }
  return orderCard(order, { extra: h('div', { class: 'mine-extra' }, parts) });
}

export async function renderMine(ctx) {
  const draw = async () => {
    const page = await api('/api/users/me/orders?limit=50');
    const blocks = await Promise.all(page.items.map((order) => orderBlock(order, draw)));
    if (!ctx.alive()) return;
    mount(ctx.el, h('h1', { text: t('mine_title') }),
      blocks.length ? h('div', { class: 'list' }, blocks) : h('p', { class: 'empty muted', text: t('mine_empty') }));
  };
  setMainButton(t('feed_post'), () => ctx.navigate('post'));
  await draw();
  return null;
}

export async function renderRate(ctx) {
  const [orderId, executorId] = ctx.params;
  const executor = await api(`/api/users/${encodeURIComponent(executorId)}`);
  let rating = 0;
  const stars = [1, 2, 3, 4, 5].map((n) => h('button', {
    type: 'button', class: 'star', text: '★', attrs: { 'aria-label': String(n), 'aria-pressed': 'false' },
    on: { click: () => { rating = n; stars.forEach((s, i) => { s.classList.toggle('on', i < n); s.setAttribute('aria-pressed', String(i < n)); }); problem.setError(''); } },
  }));
  const problem = field('', h('div', { class: 'stars', attrs: { role: 'group' } }, stars));
  const comment = field(t('rate_comment'), h('textarea', { name: 'comment', rows: 3, attrs: { maxlength: COMMENT_MAX } }));
  mount(ctx.el, h('h1', { text: t('rate_title') }),
    h('p', { class: 'rate-who', text: `${executor.first_name || executorId} · ${ratingText(executor)}` }),
    problem.wrap, comment.wrap);
  setMainButton(t('rate_submit'), async () => {
    if (!rating) {
      problem.setError(t('rate_choose'));
      return;
    }
    const text = trimmed(comment.control.value);
    try {
      await api('/api/reviews/client', { method: 'POST', body: { order_id: orderId, executor_id: Number(executorId), rating, comment: text || null } });
      toast(t('rate_done'), 'success');
      ctx.navigate('mine');
    } catch (error) {
      if (error.code === 'contact_in_description') comment.setError(errorText(error.code));
      else state.showError(error);
    }
  });
  return null;
}
