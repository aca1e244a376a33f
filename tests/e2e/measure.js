// Measured on the page by tests/e2e/test_accessibility.py: controls smaller than the
// minimum tap target, and texts under WCAG AA contrast.
// What the user can press, measured as the box they can hit: a check box or a radio by its
// label. Text links inside a sentence are exempt (WCAG 2.5.8); the page has none.
(minimum) => {
  const visible = (el) => {
    if (el.closest('[hidden], [aria-hidden="true"]')) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const name = (el) => `${el.tagName.toLowerCase()}.${el.className || ''} "${(el.textContent || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;

  const small = [];
  for (const el of document.querySelectorAll('a[href], button, select, input, textarea, [role=button]')) {
    if (!visible(el) || el.disabled) continue;
    const target = ['checkbox', 'radio'].includes(el.type) ? el.closest('label') || el : el;
    const box = target.getBoundingClientRect();
    if (box.height < minimum || box.width < minimum) {
      small.push(`${name(target)}: ${box.width.toFixed(0)}×${box.height.toFixed(0)}`);
    }
  }

  // Colours as [r, g, b, a] in 0..1, from rgb(), rgba() and color(srgb …) (color-mix).
  const parse = (text) => {
    let m = /^rgba?\(([^)]+)\)$/.exec(text);
    if (m) {
      const [r, g, b, a = '1'] = m[1].split(/[\s,/]+/).filter(Boolean);
      return [r / 255, g / 255, b / 255, Number(a)];
    }
    m = /^color\(srgb ([^)]+)\)$/.exec(text);
    if (m) {
      const [r, g, b, a = '1'] = m[1].split(/[\s/]+/).filter(Boolean);
      return [Number(r), Number(g), Number(b), Number(a)];
    }
    return null;
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  // The backgrounds under an element, outermost last; null when an image is among them.
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== 'none') return null;
      const colour = parse(style.backgroundColor);
      if (colour && colour[3] > 0) layers.push(colour);
      if (colour && colour[3] >= 1) break;
    }
    let colour = parse(getComputedStyle(document.documentElement).backgroundColor) || [1, 1, 1, 1];
    if (colour[3] < 1) colour = over(colour, [1, 1, 1, 1]);
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };

  const faint = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || !visible(el)) continue;
    seen.add(el);
    if (el.closest(':disabled, option')) continue; // inactive controls are exempt
    const style = getComputedStyle(el);
    const bg = background(el);
    const fg = parse(style.color);
    if (!bg || !fg) continue;
    const text = over(fg, bg);
    const [l1, l2] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    checked += 1;
    if (ratio < (large ? 3 : 4.5)) faint.push(`${name(el)}: ${ratio.toFixed(2)}:1 (${style.color} on ${bg.map((v, i) => (i < 3 ? Math.round(v * 255) : v)).join(',')})`);
  }
  return { small, faint, checked };
}
