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
  // Outside Telegram the script says "light" with no colours: the page's own follow the
  // browser's scheme.
  if (!webApp || !insideTelegram) return;
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
  // Busy per handler: a press pending on a screen the user left neither blocks the next
  // screen's button nor ends its progress.
  let busy = false;
  const current = async () => {
    if (busy) return;
    busy = true;
    if (insideTelegram) webApp.MainButton.showProgress(false);
    button.disabled = true;
    try {
      await handler();
    } finally {
      busy = false;
      if (mainHandler === current) {
        button.disabled = false;
        if (insideTelegram) webApp.MainButton.hideProgress();
      }
    }
  };
  mainHandler = current;
  button.disabled = !enabled;
  if (insideTelegram) {
    webApp.MainButton.hideProgress();
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
  const launch = launchParams();
  return (unsafe && unsafe.start_param)
    || (launch && launch.params.get('tgWebAppStartParam'))
    || new URLSearchParams(location.search).get('tgWebAppStartParam') || '';
}

// --- confirmations, write access, the user's phone, links (SPEC §21) ------------------------

function supports(version) {
  return Boolean(webApp && insideTelegram && typeof webApp.isVersionAtLeast === 'function' && webApp.isVersionAtLeast(version));
}

/** Ask before spending money or doing what cannot be undone: Telegram's popup inside
 * Telegram, the browser's dialog outside. Resolves true when confirmed. */
export function confirmAction(message) {
  if (supports('6.2')) {
    return new Promise((resolve) => webApp.showConfirm(message.slice(0, 256), (ok) => resolve(Boolean(ok))));
  }
  return Promise.resolve(window.confirm(message));
}

/** Telegram's "allow the bot to write to you" request: true when allowed, null when it
 * cannot be asked here. */
export function requestWriteAccess() {
  if (!supports('6.9')) return Promise.resolve(null);
  return new Promise((resolve) => webApp.requestWriteAccess((granted) => resolve(Boolean(granted))));
}

/** Telegram's "share your phone number" request: true when the user shared it (the bot
 * receives it and stores it as the verified phone). */
export function requestContact() {
  if (!supports('6.9')) return Promise.resolve(null);
  return new Promise((resolve) => webApp.requestContact((shared) => resolve(Boolean(shared))));
}

/** Open a t.me link in Telegram itself (a chat with the contact), or a new tab outside. */
export function openTelegramLink(url) {
  if (supports('6.1') && typeof webApp.openTelegramLink === 'function') webApp.openTelegramLink(url);
  else window.open(url, '_blank', 'noopener');
}

/** Ask before closing while ``dirty`` (a half-typed order). */
export function guardClosing(dirty) {
  if (!supports('6.2')) return;
  if (dirty) webApp.enableClosingConfirmation();
  else webApp.disableClosingConfirmation();
}

/** Share a prepared message (``savePreparedInlineMessage``'s id): true when sent. */
export function shareMessage(id) {
  if (!supports('8.0') || typeof webApp.shareMessage !== 'function') return Promise.resolve(null);
  return new Promise((resolve) => webApp.shareMessage(id, (sent) => resolve(Boolean(sent))));
}

export function offerHomeScreen() {
  if (supports('8.0') && typeof webApp.addToHomeScreen === 'function') webApp.addToHomeScreen();
}

export const canShare = () => supports('8.0');
export const canAddToHomeScreen = () => supports('8.0');

/** The launch parameters a Telegram client put in the hash, and the page's own route
 * before them: ``#tgWebAppData=…`` (no route) or ``#/order/x?tgWebAppData=…`` (a web_app
 * button's URL with a route). Null when the hash holds only the page's route. */
export function launchParams() {
  const hash = location.hash.slice(1);
  if (hash.startsWith('tgWebApp')) return { params: new URLSearchParams(hash), path: '' };
  const query = hash.indexOf('?');
  if (query >= 0 && /(^|&)tgWebApp/.test(hash.slice(query + 1))) {
    return { params: new URLSearchParams(hash.slice(query + 1)), path: hash.slice(0, query) };
  }
  return null;
}
