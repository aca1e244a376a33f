// Balance: the amount, a Telegram Stars top-up (the server's payment status decides, never
// the invoice callback), a ruble top-up through YooKassa when offered (its page opened with
// openLink; the status read back from the server, never from the return), the development
// top-up, and the ledger.

import { api, newKey } from '../api.js';
import { h, mount } from '../dom.js';
import { formatTime, t } from '../i18n.js';
import { state, toast } from '../state.js';
import { haptic, insideTelegram, openInvoice, openLink, setMainButton } from '../tg.js';

const DEV_AMOUNT = 100;
const STAR_PRESETS = [50, 100, 250, 500];
const PAYMENT_POLL_MS = 1500;
const PAYMENT_POLL_TRIES = 40;
const RUBLE_PRESETS = [100, 300, 500, 1000];
const TOPUP_POLL_TRIES = 200; // paying on YooKassa's page takes minutes

const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function ledgerRow(entry) {
  const sign = entry.amount > 0 ? '+' : '';
  return h('li', { class: 'ledger-row', dataset: { type: entry.type } },
    h('div', { class: 'row' },
      h('span', { text: t(`ledger_${entry.type}`) }),
      h('strong', { class: entry.amount < 0 ? 'minus' : 'plus', text: `${sign}${entry.amount} ₽` })),
    h('div', { class: 'row muted small' },
      h('span', { text: formatTime(entry.created_at) }),
      entry.order_id ? h('a', { href: `#/order/${entry.order_id}`, text: `#${entry.order_id}` }) : null,
      h('span', { text: t('ledger_after', { n: entry.balance_after }) })));
}

export async function renderBalance(ctx) {
  const amount = h('strong', { class: 'balance-amount' });
  const ledger = h('ul', { class: 'ledger' });
  const payment = h('p', { class: 'payment-status', attrs: { role: 'status' }, hidden: true });
  const stars = h('input', { type: 'number', name: 'stars', min: 1, step: 1, value: STAR_PRESETS[1], attrs: { inputmode: 'numeric', 'aria-label': t('balance_stars_amount') } });

  const refresh = async () => {
    const [balance, page] = await Promise.all([api('/api/balance'), api('/api/balance/transactions?limit=50')]);
    if (!ctx.alive()) return;
    if (state.me) state.me = { ...state.me, balance: balance.balance };
    amount.textContent = `${balance.balance} ₽`;
    mount(ledger, page.items.length ? page.items.map(ledgerRow) : h('li', { class: 'muted', text: t('balance_ledger_empty') }));
  };

  const say = (text, kind = 'info') => {
    payment.textContent = text;
    payment.className = `payment-status ${kind}`;
    payment.hidden = false;
  };

  async function watchPayment(paymentId, callbackStatus) {
    for (let attempt = 0; attempt < PAYMENT_POLL_TRIES && ctx.alive(); attempt += 1) {
      const current = await api(`/api/balance/invoices/${encodeURIComponent(paymentId)}`);
      if (current.status === 'paid') {
        haptic('success');
        say(t('balance_paid', { n: current.amount_rub }), 'success');
        await refresh();
        return;
      }
      // The callback may only shorten the wait: a cancelled invoice is checked once.
      if (current.status !== 'pending' || callbackStatus === 'cancelled' || callbackStatus === 'failed') break;
      await wait(PAYMENT_POLL_MS);
    }
    say(t('balance_not_paid'), 'error');
    mount(payment, t('balance_not_paid'), ' ', h('button', {
      type: 'button', class: 'small secondary', text: t('balance_check'),
      on: { click: () => { say(t('balance_waiting')); watchPayment(paymentId, null).catch((e) => state.showError(e)); } },
    }));
  }

  const topups = state.topups;
  const rubles = topups ? h('input', {
    type: 'number', name: 'rubles', min: topups.min, max: topups.max, step: 1,
    value: Math.min(Math.max(300, topups.min), topups.max),
    attrs: { inputmode: 'numeric', 'aria-label': t('balance_rubles_amount') },
  }) : null;
  const email = h('input', { type: 'email', name: 'email', hidden: true, attrs: { autocomplete: 'email', 'aria-label': t('balance_email'), placeholder: t('balance_email') } });
  const rublesStatus = h('p', { class: 'payment-status', attrs: { role: 'status' }, hidden: true });
  const sayRubles = (text, kind = 'info') => {
    rublesStatus.textContent = text;
    rublesStatus.className = `payment-status ${kind}`;
    rublesStatus.hidden = false;
  };

  async function watchTopup(topupId) {
    for (let attempt = 0; attempt < TOPUP_POLL_TRIES && ctx.alive(); attempt += 1) {
      const current = await api(`/api/balance/topups/${encodeURIComponent(topupId)}`);
      if (current.status === 'paid') {
        haptic('success');
        sayRubles(t('balance_paid', { n: current.amount_rub }), 'success');
        await refresh();
        return;
      }
      if (current.status !== 'pending') {
        sayRubles(t('balance_rubles_canceled'), 'error');
        return;
      }
      await wait(PAYMENT_POLL_MS);
    }
    if (!ctx.alive()) return;
    mount(rublesStatus, t('balance_not_paid'), ' ', h('button', {
      type: 'button', class: 'small secondary', text: t('balance_check'),
      on: { click: () => { sayRubles(t('balance_rubles_waiting')); watchTopup(topupId).catch((e) => state.showError(e)); } },
    }));
  }

  async function payWithRubles() {
    const count = Number(rubles.value);
    if (!Number.isInteger(count) || count < topups.min || count > topups.max) {
      sayRubles(t('balance_rubles_range', topups), 'error');
      rubles.focus();
      return;
    }
    const body = { amount_rub: count };
    if (!email.hidden && email.value.trim()) body.email = email.value.trim();
    let topup;
    try {
      topup = await api('/api/balance/topups', { method: 'POST', body, headers: { 'Idempotency-Key': newKey() } });
    } catch (error) {
      if (error.code === 'receipt_email_required') {
        email.hidden = false;
        email.focus();
        sayRubles(t('balance_email_needed'), 'error');
      } else state.showError(error);
      return;
    }
    email.hidden = true;
    openLink(topup.confirmation_url);
    sayRubles(t('balance_rubles_waiting'));
    await watchTopup(topup.topup_id).catch((error) => state.showError(error));
  }

  async function payWithStars() {
    const count = Number(stars.value);
    if (!Number.isInteger(count) || count < 1) {
      stars.focus();
      return;
    }
    let invoice;
    try {
      invoice = await api('/api/balance/invoices', { method: 'POST', body: { stars: count }, headers: { 'Idempotency-Key': newKey() } });
    } catch (error) {
      if (error.status === 404 && error.code === 'not_found') say(t('balance_stars_unavailable'), 'error');
      else state.showError(error);
      return;
    }
    const callbackStatus = await openInvoice(invoice.invoice_url);
    say(t('balance_waiting'));
    await watchPayment(invoice.payment_id, callbackStatus).catch((error) => state.showError(error));
  }

  async function devRecharge() {
    try {
      const result = await api('/api/balance/recharge', { method: 'POST', body: { amount: DEV_AMOUNT }, headers: { 'Idempotency-Key': newKey() } });
      toast(t('balance_dev_done', { n: result.balance }), 'success');
      await refresh();
    } catch (error) {
      state.showError(error);
    }
  }

  mount(ctx.el,
    h('h1', { text: t('balance_title') }),
    h('div', { class: 'card balance-card' }, amount),
    // Stars exist only inside Telegram; on the open web rubles (YooKassa) remain.
    insideTelegram ? h('section', { class: 'card stars' },
      h('h2', { text: t('balance_stars') }),
      h('div', { class: 'presets' }, STAR_PRESETS.map((n) => h('button', {
        type: 'button', class: 'small secondary', text: `${n} ★`, on: { click: () => { stars.value = n; setPay(); } },
      }))),
      stars, payment) : null,
    topups ? h('section', { class: 'card topups' },
      h('h2', { text: t('balance_rubles') }),
      h('div', { class: 'presets' }, RUBLE_PRESETS.filter((n) => n >= topups.min && n <= topups.max).map((n) => h('button', {
        type: 'button', class: 'small secondary', text: `${n} ₽`, on: { click: () => { rubles.value = n; } },
      }))),
      rubles, email,
      h('button', { type: 'button', class: 'pay-rubles', text: t('balance_rubles_go'), on: { click: () => payWithRubles().catch((e) => state.showError(e)) } }),
      rublesStatus) : null,
    state.devTools ? h('button', { type: 'button', class: 'secondary dev-recharge', text: t('balance_dev', { n: DEV_AMOUNT }), on: { click: devRecharge } }) : null,
    h('h2', { text: t('balance_ledger') }),
    ledger);

  const setPay = () => setMainButton(t('balance_stars_pay', { n: stars.value || 0 }), payWithStars);
  if (insideTelegram) {
    stars.addEventListener('input', setPay);
    setPay();
  }
  await refresh();
  return null;
}
