// A stand-in for https://telegram.org/js/telegram-web-app.js in the browser tests: the same
// window.Telegram.WebApp surface, configured by window.__TG_STUB__ (set by an init script),
// with the main and back buttons drawn as page buttons so a test can press them, and every
// call recorded in window.__tgStub.calls.
(() => {
  const config = window.__TG_STUB__ || {};
  const calls = [];
  const handlers = {};
  const openInvoices = []; // close(status) of each invoice opened in 'manual' mode
  const record = (name, ...args) => { calls.push([name, ...args]); };
  const initData = config.initData || '';
  let user = null;
  try { user = JSON.parse(new URLSearchParams(initData).get('user')); } catch (e) { user = null; }

  const themeParams = Object.assign({
    bg_color: '#ffffff', text_color: '#000000', hint_color: '#707579', link_color: '#3390ec',
    button_color: '#3390ec', button_text_color: '#ffffff', secondary_bg_color: '#f4f4f5',
    section_bg_color: '#ffffff', accent_text_color: '#3390ec', destructive_text_color: '#e53935',
  }, config.themeParams || {});

  function emit(event, ...args) {
    for (const handler of handlers[event] || []) handler(...args);
  }

  function drawn(id, styles) {
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement('button');
      el.id = id;
      el.type = 'button';
      Object.assign(el.style, styles);
      (document.body || document.documentElement).appendChild(el);
    }
    return el;
  }

  function makeButton(id, styles, withText) {
    const clicks = [];
    const button = {
      text: withText ? 'Continue' : '', isVisible: false, isActive: true, isProgressVisible: false,
      el() {
        const el = drawn(id, styles);
        if (!el.dataset.wired) {
          el.dataset.wired = '1';
          el.addEventListener('click', () => { if (button.isActive) clicks.slice().forEach((fn) => fn()); });
        }
        el.hidden = !button.isVisible;
        el.style.display = button.isVisible ? 'block' : 'none';
        if (withText) el.textContent = button.text;
        el.disabled = !button.isActive;
        el.dataset.progress = button.isProgressVisible ? '1' : '';
        return el;
      },
      setText(text) { button.text = text; record(`${id}.setText`, text); button.el(); return button; },
      setParams(params) {
        if ('text' in params) button.text = params.text;
        if ('is_visible' in params) button.isVisible = params.is_visible;
        if ('is_active' in params) button.isActive = params.is_active;
        record(`${id}.setParams`, params); button.el(); return button;
      },
      show() { button.isVisible = true; record(`${id}.show`); button.el(); return button; },
      hide() { button.isVisible = false; record(`${id}.hide`); button.el(); return button; },
      enable() { button.isActive = true; button.el(); return button; },
      disable() { button.isActive = false; button.el(); return button; },
      showProgress() { button.isProgressVisible = true; button.el(); return button; },
      hideProgress() { button.isProgressVisible = false; button.el(); return button; },
      onClick(fn) { clicks.push(fn); return button; },
      offClick(fn) { const i = clicks.indexOf(fn); if (i >= 0) clicks.splice(i, 1); return button; },
    };
    return button;
  }

  const MainButton = makeButton('tg-main-button', {
    position: 'fixed', left: '0', right: '0', bottom: '0', zIndex: '1000', height: '52px',
    border: '0', font: '600 16px system-ui, sans-serif', background: themeParams.button_color,
    color: themeParams.button_text_color,
  }, true);
  const BackButton = makeButton('tg-back-button', {
    position: 'fixed', right: '8px', bottom: '60px', zIndex: '1000', width: '44px', height: '32px',
    border: '0', borderRadius: '16px', font: '600 14px system-ui, sans-serif', background: '#0008', color: '#fff',
  }, false);
  BackButton.el = ((draw) => function () { const el = draw(); el.textContent = '‹'; el.setAttribute('aria-label', 'Telegram back'); return el; })(BackButton.el);

  const WebApp = {
    initData,
    initDataUnsafe: Object.assign({}, user ? { user, auth_date: Number(new URLSearchParams(initData).get('auth_date')) } : {}, config.startParam ? { start_param: config.startParam } : {}),
    version: '8.0',
    platform: initData ? (config.platform || 'android') : 'unknown',
    colorScheme: config.colorScheme || 'light',
    themeParams,
    isExpanded: false,
    viewportHeight: window.innerHeight,
    viewportStableHeight: window.innerHeight,
    safeAreaInset: Object.assign({ top: 0, bottom: 0, left: 0, right: 0 }, config.safeAreaInset || {}),
    contentSafeAreaInset: Object.assign({ top: 0, bottom: 0, left: 0, right: 0 }, config.contentSafeAreaInset || {}),
    MainButton,
    BackButton,
    // Bot API 8.0: config.location {latitude, longitude} is where the user is; null or
    // missing: the user did not allow it.
    LocationManager: {
      isInited: false,
      isLocationAvailable: false,
      isAccessRequested: false,
      isAccessGranted: false,
      init(callback) {
        record('LocationManager.init');
        Object.assign(WebApp.LocationManager, {
          isInited: true, isLocationAvailable: true, isAccessRequested: true,
          isAccessGranted: Boolean(config.location),
        });
        if (callback) setTimeout(callback, 0);
        return WebApp.LocationManager;
      },
      getLocation(callback) {
        record('LocationManager.getLocation');
        const data = config.location
          ? { latitude: config.location.latitude, longitude: config.location.longitude, altitude: null, course: null, speed: null, horizontal_accuracy: 10 }
          : null;
        setTimeout(() => callback(data), 0);
        return WebApp.LocationManager;
      },
    },
    HapticFeedback: {
      impactOccurred(style) { record('HapticFeedback.impactOccurred', style); return this; },
      notificationOccurred(type) { record('HapticFeedback.notificationOccurred', type); return this; },
      selectionChanged() { record('HapticFeedback.selectionChanged'); return this; },
    },
    ready() { record('ready'); },
    expand() { WebApp.isExpanded = true; record('expand'); },
    close() { record('close'); },
    isVersionAtLeast() { return true; },
    onEvent(event, fn) { (handlers[event] = handlers[event] || []).push(fn); record('onEvent', event); },
    offEvent(event, fn) { handlers[event] = (handlers[event] || []).filter((h) => h !== fn); },
    openInvoice(url, callback) {
      record('openInvoice', url);
      const close = (status) => { emit('invoiceClosed', { url, status }); if (callback) callback(status); };
      // 'manual': the invoice stays open until the test calls __tgStub.closeInvoice(status).
      if (config.invoiceStatus === 'manual') { openInvoices.push(close); return; }
      const status = config.invoiceStatus || 'paid';
      setTimeout(() => close(status), 50);
    },
    openLink(url) { record('openLink', url); },
    openTelegramLink(url) { record('openTelegramLink', url); },
    setHeaderColor(color) { record('setHeaderColor', color); },
    setBackgroundColor(color) { record('setBackgroundColor', color); },
    enableClosingConfirmation() { record('enableClosingConfirmation'); },
    disableClosingConfirmation() { record('disableClosingConfirmation'); },
    showAlert(message, callback) { record('showAlert', message); if (callback) callback(); },
    showConfirm(message, callback) { record('showConfirm', message); if (callback) callback(config.confirm !== false); },
    requestWriteAccess(callback) { record('requestWriteAccess'); if (callback) callback(config.writeAccess !== false); },
    requestContact(callback) { record('requestContact'); if (callback) callback(config.contact !== false); },
    shareMessage(id, callback) { record('shareMessage', id); if (callback) callback(true); },
    addToHomeScreen() { record('addToHomeScreen'); },
  };

  window.Telegram = { WebApp };
  window.__tgStub = {
    calls,
    setTheme(params, scheme) {
      Object.assign(WebApp.themeParams, params);
      if (scheme) WebApp.colorScheme = scheme;
      const main = document.getElementById('tg-main-button');
      if (main) Object.assign(main.style, { background: WebApp.themeParams.button_color, color: WebApp.themeParams.button_text_color });
      emit('themeChanged');
    },
    setSafeArea(inset) { Object.assign(WebApp.safeAreaInset, inset); emit('safeAreaChanged'); },
    closeInvoice(status) {
      const close = openInvoices.shift();
      if (!close) throw new Error('no invoice is open');
      close(status);
    },
  };
})();
