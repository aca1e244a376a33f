// The API's field rules for a new order (OrderCreate in /openapi.json), so the form can say
// what is wrong before sending. The API stays the judge: its answer is shown as it comes.
export const ORDER_LIMITS = {
  description: { min: 10, max: 2000 },
  city: { min: 2, max: 64 },
  contact: { min: 3, max: 128 },
};
export const COMMENT_MAX = 1000;
export const REPORT_COMMENT_MAX = 500;

// The API trims white space and Unicode format characters before it counts, and counts
// code points (not UTF-16 units).
const EDGES = /^[\s\p{Cf}]+|[\s\p{Cf}]+$/gu;
export const trimmed = (text) => String(text ?? '').replace(EDGES, '');
export const length = (text) => [...trimmed(text)].length;

// A city is a place name (the API's CITY_PATTERN): letters, spaces, hyphens, dots, apostrophes.
const PLACE = /^[\p{L} .'’ʼ‘`-]+$/u;

/** Code point offsets of the trimmed text (as the API counts) → offsets in the raw value. */
export function rawRange(raw, start, end) {
  const lead = String(raw ?? '').length - String(raw ?? '').replace(/^[\s\p{Cf}]+/u, '').length;
  const points = [...trimmed(raw)];
  const at = (n) => lead + points.slice(0, n).join('').length;
  return [at(start), at(end)];
}

/** Field name → problem key ('too_short' | 'too_long' | 'not_a_place'), for the fields that break a rule. */
export function orderProblems(fields) {
  const problems = {};
  for (const [name, { min, max }] of Object.entries(ORDER_LIMITS)) {
    const n = length(fields[name]);
    if (n < min) problems[name] = 'too_short';
    else if (n > max) problems[name] = 'too_long';
  }
  if (!problems.city && !PLACE.test(trimmed(fields.city))) problems.city = 'not_a_place';
  if (!fields.category) problems.category = 'required';
  return problems;
}
