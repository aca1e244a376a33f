// Telegram's WebApp object, and what the page does without it (outside Telegram): its own
// main and back buttons.

import { $ } from './dom.js';

const webApp = window.Telegram && window.Telegram.WebApp;
export const WebApp = webApp || null;
export const insideTelegram = Boolean(webApp && webApp.initData);

const root = document.documentElement;

function cssName(key) {
  return `--tg-theme-${key.replace(/_/g, '-')}`;
}

/** Telegram's theme colours as --tg-theme-* variables, and the colour scheme as a class. */
export function applyTheme() {
  if (!webApp) return;
  for (const [key, value] of Object.entries(webApp.themeParams || {})) {
    if (typeof value === 'string' && /^#[0-9a-f]{3,8}$/i.test(value)) root.style.setProperty(cssName(key), value);
  }
  root.dataset.scheme = webApp.colorScheme === 'dark' ? 'dark' : 'light';
}

function applyInsets() {
  if (!webApp) return;
  for (const [name, inset] of [['safe-area', webApp.safeAreaInset], ['content-safe-area', webApp.contentSafeAreaInset]]) {
    for (const side of ['top', 'bottom', 'left', 'right']) {
      const value = inset && Number(inset[side]);
      if (Number.isFinite(value)) root.style.setProperty(`--tg-${name}-inset-${side}`, `${value}px`);
    }
  }
}

export function startTelegram() {
  if (!webApp) return;
  applyTheme();
  applyInsets();
  webApp.onEvent('themeChanged', applyTheme);
  webApp.onEvent('safeAreaChanged', applyInsets);
  webApp.onEvent('contentSafeAreaChanged', applyInsets);
  webApp.ready();
  webApp.expand();
}

// --- main button ------------------------------------------------------------------------

let mainHandler = null;
let mainBusy = false;

function fallbackMain() {
  return $('#fallback-main');
}

/** Show the screen's main action (or hide it with null). The handler may return a promise:
 * the button shows progress and ignores presses until it settles. */
export function setMainButton(text, handler, { enabled = true } = {}) {
  if (webApp && insideTelegram && mainHandler) webApp.MainButton.offClick(mainHandler);
  mainHandler = null;
  const button = fallbackMain();
  if (!text) {
    if (insideTelegram) webApp.MainButton.hide();
    button.hidden = true;
    document.body.classList.remove('has-main');
    return;
  }
  mainHandler = async () => {
    if (mainBusy) return;
    mainBusy = true;
    if (insideTelegram) webApp.MainButton.showProgress(false);
    button.disabled = true;
    try {
      await handler();
    } finally {
      mainBusy = false;
      button.disabled = false;
      if (insideTelegram) webApp.MainButton.hideProgress();
    }
  };
  if (insideTelegram) {
    webApp.MainButton.setParams({ text, is_visible: true, is_active: enabled });
    webApp.MainButton.onClick(mainHandler);
    button.hidden = true;
  } else {
    button.textContent = text;
    button.hidden = false;
    button.disabled = !enabled;
    document.body.classList.add('has-main');
  }
}

export function initMainFallback() {
  fallbackMain().addEventListener('click', () => mainHandler && mainHandler());
}

// --- back button ------------------------------------------------------------------------

let backHandler = null;

export function setBackButton(handler) {
  if (insideTelegram && backHandler) webApp.BackButton.offClick(backHandler);
  backHandler = handler;
  const button = $('#fallback-back');
  if (insideTelegram) {
    if (handler) {
      webApp.BackButton.onClick(handler);
      webApp.BackButton.show();
    } else {
      webApp.BackButton.hide();
    }
    button.hidden = true;
  } else {
    button.hidden = !handler;
  }
}

export function initBackFallback() {
  $('#fallback-back').addEventListener('click', () => backHandler && backHandler());
}

// --- the rest -----------------------------------------------------------------------------

export function haptic(kind) {
  const feedback = webApp && webApp.HapticFeedback;
  if (!feedback || !insideTelegram) return;
  if (kind === 'success' || kind === 'error' || kind === 'warning') feedback.notificationOccurred(kind);
  else feedback.impactOccurred(kind || 'light');
}

/** Opens a Stars invoice; resolves with the status Telegram reports (a hint only: the
 * server's payment status is the truth). Null when invoices cannot open here. */
export function openInvoice(url) {
  return new Promise((resolve) => {
    if (!webApp || !insideTelegram || typeof webApp.openInvoice !== 'function') {
      resolve(null);
      return;
    }
    webApp.openInvoice(url, (status) => resolve(status));
  });
}

/** Open a page outside Telegram's view (YooKassa's payment page): Telegram's openLink, or
 * a new tab outside Telegram. */
export function openLink(url) {
  if (webApp && insideTelegram && typeof webApp.openLink === 'function') webApp.openLink(url);
  else window.open(url, '_blank', 'noopener');
}

export function telegramUser(initData) {
  try {
    const user = new URLSearchParams(initData).get('user');
    return user ? JSON.parse(user) : null;
  } catch {
    return null;
  }
}

export function startParam() {
  const unsafe = webApp && webApp.initDataUnsafe;
  return (unsafe && unsafe.start_param) || new URLSearchParams(location.search).get('tgWebAppStartParam') || '';
}
