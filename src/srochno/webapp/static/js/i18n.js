// Texts of the page in Russian and English. Russian for ru, uk, be, kk (and when Telegram
// gives no language), English otherwise — the same rule as the bot's.

const RUSSIAN_FOR = new Set(['ru', 'uk', 'be', 'kk']);

export function pickLanguage(code) {
  if (!code) return 'ru';
  return RUSSIAN_FOR.has(String(code).toLowerCase().split(/[-_]/)[0]) ? 'ru' : 'en';
}

// A message for every error code the API gives (see /openapi.json and errors.py).
export const ERRORS = {
  ru: {
    auth_missing: 'Откройте приложение из Telegram: нет данных входа.',
    init_data_malformed: 'Данные входа Telegram повреждены. Откройте приложение заново.',
    init_data_invalid: 'Данные входа Telegram не прошли проверку. Откройте приложение заново.',
    init_data_expired: 'Сеанс устарел. Закройте и снова откройте приложение.',
    init_data_no_user: 'Telegram не передал данные пользователя. Откройте приложение из бота.',
    unauthorized: 'Нужно войти через Telegram.',
    user_banned: 'Ваш аккаунт заблокирован.',
    forbidden: 'Это действие вам недоступно.',
    not_owner: 'Это может сделать только автор заказа.',
    own_order: 'Нельзя взять собственный заказ.',
    not_a_taker: 'Пожаловаться может только исполнитель, который взял этот заказ.',
    order_not_found: 'Заказ не найден — возможно, его удалили.',
    user_not_found: 'Пользователь не найден.',
    not_found: 'Не найдено.',
    order_not_active: 'Заказ уже не активен.',
    order_expired: 'Время заказа истекло — его больше нельзя взять.',
    order_full: 'Заказ уже взяли максимум исполнителей.',
    insufficient_balance: 'Недостаточно денег на балансе. Пополните баланс.',
    order_already_taken: 'Заказ уже взяли — менять или удалять его нельзя.',
    city_locked: 'Город нельзя изменить: исполнителям этого города уже сообщили о заказе.',
    contact_in_description:
      'В тексте есть контакт (телефон, @имя, почта или ссылка). Уберите его: контакт видят только исполнители, которые оплатили заказ, — укажите его в поле «Контакт».',
    no_takes: 'Заказ ещё никто не взял.',
    executor_not_taker: 'Этот исполнитель не брал заказ.',
    completion_window_closed: 'Срок, когда заказ можно отметить выполненным, прошёл.',
    review_window_closed: 'Срок для отзыва по этому заказу прошёл.',
    already_reviewed: 'Вы уже оценили этого исполнителя по этому заказу.',
    already_complained: 'Вы уже пожаловались на этот заказ.',
    dev_recharge_disabled: 'Бесплатное пополнение доступно только в режиме разработки.',
    idempotency_key_conflict: 'Повторный запрос не совпал с первым. Попробуйте ещё раз.',
    validation_error: 'Проверьте заполненные поля.',
    bad_request: 'Неверный запрос.',
    method_not_allowed: 'Это действие не поддерживается.',
    not_acceptable: 'Сервер не может ответить в нужном формате.',
    unsupported_media_type: 'Неверный формат запроса.',
    payload_too_large: 'Слишком большой запрос — сократите текст.',
    too_many_requests: 'Слишком много запросов. Подождите немного.',
    rate_limited: 'Слишком много действий подряд. Подождите немного и повторите.',
    too_many_active_orders: 'У вас уже много активных заказов. Дождитесь, пока они закроются.',
    payment_provider_error: 'Платёжная система Telegram не ответила. Попробуйте позже.',
    database_unavailable: 'Сервис временно недоступен. Попробуйте через минуту.',
    internal_error: 'Ошибка на сервере. Мы уже разбираемся, попробуйте позже.',
    http_error: 'Сервер ответил ошибкой. Попробуйте позже.',
    network_error: 'Нет связи с сервером. Проверьте интернет.',
    unknown: 'Что-то пошло не так.',
  },
  en: {
    auth_missing: 'Open the app from Telegram: no sign-in data.',
    init_data_malformed: 'The Telegram sign-in data is damaged. Open the app again.',
    init_data_invalid: 'The Telegram sign-in data failed the check. Open the app again.',
    init_data_expired: 'Your session is out of date. Close the app and open it again.',
    init_data_no_user: 'Telegram sent no user. Open the app from the bot.',
    unauthorized: 'Please sign in through Telegram.',
    user_banned: 'Your account is banned.',
    forbidden: 'You cannot do this.',
    not_owner: 'Only the author of the order can do this.',
    own_order: 'You cannot take your own order.',
    not_a_taker: 'Only an executor who took this order can complain.',
    order_not_found: 'Order not found — it may have been deleted.',
    user_not_found: 'User not found.',
    not_found: 'Not found.',
    order_not_active: 'The order is no longer active.',
    order_expired: 'The order has expired and can no longer be taken.',
    order_full: 'The order already has the maximum number of executors.',
    insufficient_balance: 'Not enough money on your balance. Top it up first.',
    order_already_taken: 'Someone already took the order: it can no longer be changed or deleted.',
    city_locked: 'The city cannot change: executors of that city were already told.',
    contact_in_description:
      'The text contains a contact (a phone, @name, e-mail or link). Remove it: only executors who pay see your contact — put it in the Contact field.',
    no_takes: 'Nobody has taken the order yet.',
    executor_not_taker: 'This executor did not take the order.',
    completion_window_closed: 'It is too late to mark this order as done.',
    review_window_closed: 'It is too late to review this order.',
    already_reviewed: 'You have already rated this executor for this order.',
    already_complained: 'You have already complained about this order.',
    dev_recharge_disabled: 'Free top-up works only in development.',
    idempotency_key_conflict: 'A repeated request did not match the first one. Try again.',
    validation_error: 'Please check the fields.',
    bad_request: 'Invalid request.',
    method_not_allowed: 'This action is not supported.',
    not_acceptable: 'The server cannot answer in the format asked for.',
    unsupported_media_type: 'Wrong request format.',
    payload_too_large: 'The request is too large — shorten the text.',
    too_many_requests: 'Too many requests. Please wait a little.',
    rate_limited: 'Too many actions in a row. Wait a little and try again.',
    too_many_active_orders: 'You already have many active orders. Wait until they close.',
    payment_provider_error: 'Telegram payments did not answer. Try again later.',
    database_unavailable: 'The service is briefly unavailable. Try again in a minute.',
    internal_error: 'Server error. Please try again later.',
    http_error: 'The server answered with an error. Try again later.',
    network_error: 'No connection to the server. Check your internet.',
    unknown: 'Something went wrong.',
  },
};

const TEXTS = {
  ru: {
    app_name: 'Срочно',
    tab_feed: 'Лента', tab_mine: 'Мои заказы', tab_takes: 'Взятые', tab_balance: 'Баланс', tab_profile: 'Профиль',
    loading: 'Загрузка…', retry: 'Повторить', back: 'Назад',
    dev_banner: 'Открыто вне Telegram (режим разработки). Вы — пользователь',
    dev_switch: 'Сменить',
    outside_telegram: 'Откройте это приложение из Telegram-бота Srochno.',
    feed_title: 'Срочные заказы', feed_city: 'Город', feed_city_any: 'Все города',
    feed_category: 'Категория', feed_category_any: 'Все категории',
    feed_empty: 'Сейчас нет активных заказов. Новые появятся здесь сами.',
    feed_live: 'обновляется сама', feed_post: 'Разместить заказ',
    minutes_left: 'ещё {n} мин', time_left: 'Осталось {t}', slots: 'мест: {left} из {max}',
    price: '{n} ₽',
    status_active: 'Активен', status_expired: 'Время вышло', status_deleted: 'Удалён',
    status_closed_no_response: 'Закрыт без ответа', status_completed: 'Выполнен', status_cancelled: 'Отменён модератором',
    order_title: 'Заказ', order_contact: 'Контакт', order_contact_hidden: 'Контакт откроется после оплаты: {n} ₽ с баланса.',
    order_take: 'Взять за {n} ₽', order_taken: 'Контакт открыт. Списано {price} ₽, на балансе {balance} ₽.',
    order_replayed: 'Вы уже брали этот заказ — повторно открыть контакт бесплатно, деньги не списаны.',
    order_already_mine: 'Вы уже взяли этот заказ: контакт открыт, повторно платить не нужно.',
    order_yours: 'Это ваш заказ.', order_full_note: 'Все места заняты.',
    order_topup: 'Пополнить баланс', order_balance: 'На балансе: {n} ₽',
    post_title: 'Новый заказ', post_category: 'Категория', post_choose: 'Выберите категорию',
    post_description: 'Что нужно сделать', post_description_hint: 'Без телефонов, @имён, почты и ссылок — контакт укажите ниже.',
    post_city: 'Город', post_contact: 'Контакт', post_contact_hint: 'Телефон или @имя в Telegram. Его увидят только исполнители, которые оплатили заказ.',
    post_submit: 'Опубликовать', post_done: 'Заказ опубликован. Он будет виден 60 минут.',
    post_free: 'Заказ размещается бесплатно. Исполнители платят, чтобы увидеть ваш контакт.',
    too_short: 'Слишком коротко: нужно не меньше {n} символов.', too_long: 'Слишком длинно: не больше {n} символов.',
    required: 'Обязательное поле.', counter: '{n} / {max}',
    mine_title: 'Мои заказы', mine_empty: 'Вы ещё не размещали заказов.',
    mine_respond: 'Я увидел отклики', mine_respond_hint: 'Отметьте, что увидели исполнителей: если молчать, им вернут деньги и заказ закроется.',
    mine_responded: 'Вы ответили исполнителям.', mine_takers: 'Взяли заказ', mine_no_takers: 'Заказ пока никто не взял.',
    mine_complete: 'Выполнил', mine_rate: 'Оценить', mine_rated: 'Оценён', mine_delete: 'Удалить',
    mine_completed_by: 'Выполнил: {name}', mine_deleted: 'Заказ удалён.', mine_completed: 'Заказ отмечен выполненным.',
    rating_short: '★ {r} ({n})', no_rating: 'нет оценок',
    rate_title: 'Оценка исполнителя', rate_comment: 'Комментарий (необязательно)', rate_submit: 'Отправить оценку',
    rate_choose: 'Поставьте оценку от 1 до 5.', rate_done: 'Спасибо! Оценка сохранена.',
    takes_title: 'Взятые заказы', takes_empty: 'Вы ещё не брали заказов.', takes_paid: 'Оплачено {n} ₽ · {date}',
    takes_refunded: 'Деньги возвращены: клиент не ответил.', takes_complain: 'Пожаловаться',
    complain_title: 'Жалоба на клиента', complain_reason: 'Причина', complain_comment: 'Комментарий (необязательно)',
    complain_submit: 'Отправить жалобу', complain_done: 'Жалоба отправлена.',
    reason_no_response: 'Не отвечает', reason_fake_order: 'Ложный заказ', reason_wrong_contact: 'Неверный контакт',
    reason_rude: 'Грубит', reason_other: 'Другое',
    balance_title: 'Баланс', balance_stars: 'Пополнить звёздами Telegram', balance_stars_amount: 'Сколько звёзд',
    balance_stars_pay: 'Оплатить {n} ★', balance_waiting: 'Ждём подтверждения оплаты от Telegram…',
    balance_paid: 'Оплата получена: +{n} ₽.', balance_not_paid: 'Оплата не завершена.',
    balance_stars_unavailable: 'Пополнение звёздами пока недоступно.', balance_check: 'Проверить оплату',
    balance_dev: 'Пополнить на {n} ₽ (разработка)', balance_dev_done: 'Баланс пополнен: {n} ₽.',
    balance_ledger: 'История', balance_ledger_empty: 'Операций пока нет.',
    ledger_recharge: 'Пополнение', ledger_order_take: 'Оплата заказа', ledger_refund: 'Возврат', ledger_adjustment: 'Корректировка',
    ledger_after: 'остаток {n} ₽',
    profile_title: 'Профиль', profile_rating: 'Рейтинг', profile_reviews: 'Отзывов', profile_completed: 'Выполнено заказов',
    profile_complaints: 'Жалоб', profile_public: 'Мой публичный профиль',
    profile_subscriptions: 'Подписки на новые заказы', profile_categories: 'Категории',
    profile_cities: 'Города (через запятую)', profile_frequency: 'Как часто сообщать',
    freq_instant: 'Сразу', freq_hourly: 'Раз в час', freq_daily: 'Раз в день', freq_off: 'Не сообщать',
    profile_save: 'Сохранить', profile_saved: 'Сохранено.',
    user_title: 'Исполнитель', user_since: 'С нами с {date}', user_reviews: 'Отзывы', user_no_reviews: 'Отзывов пока нет.',
  },
  en: {
    app_name: 'Srochno',
    tab_feed: 'Feed', tab_mine: 'My orders', tab_takes: 'Taken', tab_balance: 'Balance', tab_profile: 'Profile',
    loading: 'Loading…', retry: 'Retry', back: 'Back',
    dev_banner: 'Opened outside Telegram (development). You are user',
    dev_switch: 'Switch',
    outside_telegram: 'Open this app from the Srochno Telegram bot.',
    feed_title: 'Urgent jobs', feed_city: 'City', feed_city_any: 'All cities',
    feed_category: 'Category', feed_category_any: 'All categories',
    feed_empty: 'No active orders right now. New ones will appear here by themselves.',
    feed_live: 'updates live', feed_post: 'Post an order',
    minutes_left: '{n} min left', time_left: '{t} left', slots: 'slots: {left} of {max}',
    price: '{n} ₽',
    status_active: 'Active', status_expired: 'Expired', status_deleted: 'Deleted',
    status_closed_no_response: 'Closed, no response', status_completed: 'Completed', status_cancelled: 'Cancelled by a moderator',
    order_title: 'Order', order_contact: 'Contact', order_contact_hidden: 'The contact opens once you pay {n} ₽ from your balance.',
    order_take: 'Take for {n} ₽', order_taken: 'Contact unlocked. Paid {price} ₽, balance {balance} ₽.',
    order_replayed: 'You had already taken this order — opening it again is free, nothing was charged.',
    order_already_mine: 'You took this order: the contact is open, no need to pay again.',
    order_yours: 'This is your order.', order_full_note: 'All slots are taken.',
    order_topup: 'Top up balance', order_balance: 'Balance: {n} ₽',
    post_title: 'New order', post_category: 'Category', post_choose: 'Choose a category',
    post_description: 'What needs doing', post_description_hint: 'No phones, @names, e-mails or links — give your contact below.',
    post_city: 'City', post_contact: 'Contact', post_contact_hint: 'A phone or a Telegram @name. Only executors who pay will see it.',
    post_submit: 'Publish', post_done: 'Order posted. It stays listed for 60 minutes.',
    post_free: 'Posting is free. Executors pay to see your contact.',
    too_short: 'Too short: at least {n} characters.', too_long: 'Too long: at most {n} characters.',
    required: 'Required.', counter: '{n} / {max}',
    mine_title: 'My orders', mine_empty: 'You have not posted any orders yet.',
    mine_respond: 'I saw the executors', mine_respond_hint: 'Let the executors know you saw them: if you stay silent, they are refunded and the order closes.',
    mine_responded: 'You responded to the executors.', mine_takers: 'Taken by', mine_no_takers: 'Nobody has taken the order yet.',
    mine_complete: 'Did the job', mine_rate: 'Rate', mine_rated: 'Rated', mine_delete: 'Delete',
    mine_completed_by: 'Done by {name}', mine_deleted: 'Order deleted.', mine_completed: 'Order marked as done.',
    rating_short: '★ {r} ({n})', no_rating: 'no ratings',
    rate_title: 'Rate the executor', rate_comment: 'Comment (optional)', rate_submit: 'Send rating',
    rate_choose: 'Choose a rating from 1 to 5.', rate_done: 'Thank you! Rating saved.',
    takes_title: 'Taken orders', takes_empty: 'You have not taken any orders yet.', takes_paid: 'Paid {n} ₽ · {date}',
    takes_refunded: 'Refunded: the client did not respond.', takes_complain: 'Complain',
    complain_title: 'Complaint about the client', complain_reason: 'Reason', complain_comment: 'Comment (optional)',
    complain_submit: 'Send complaint', complain_done: 'Complaint sent.',
    reason_no_response: 'No response', reason_fake_order: 'Fake order', reason_wrong_contact: 'Wrong contact',
    reason_rude: 'Rude', reason_other: 'Other',
    balance_title: 'Balance', balance_stars: 'Top up with Telegram Stars', balance_stars_amount: 'How many stars',
    balance_stars_pay: 'Pay {n} ★', balance_waiting: 'Waiting for Telegram to confirm the payment…',
    balance_paid: 'Payment received: +{n} ₽.', balance_not_paid: 'The payment was not completed.',
    balance_stars_unavailable: 'Top-up with Stars is not available yet.', balance_check: 'Check payment',
    balance_dev: 'Add {n} ₽ (development)', balance_dev_done: 'Balance topped up: {n} ₽.',
    balance_ledger: 'History', balance_ledger_empty: 'No transactions yet.',
    ledger_recharge: 'Top-up', ledger_order_take: 'Order taken', ledger_refund: 'Refund', ledger_adjustment: 'Adjustment',
    ledger_after: 'balance {n} ₽',
    profile_title: 'Profile', profile_rating: 'Rating', profile_reviews: 'Reviews', profile_completed: 'Orders done',
    profile_complaints: 'Complaints', profile_public: 'My public profile',
    profile_subscriptions: 'New order alerts', profile_categories: 'Categories',
    profile_cities: 'Cities (comma-separated)', profile_frequency: 'How often',
    freq_instant: 'At once', freq_hourly: 'Hourly', freq_daily: 'Daily', freq_off: 'Never',
    profile_save: 'Save', profile_saved: 'Saved.',
    user_title: 'Executor', user_since: 'Member since {date}', user_reviews: 'Reviews', user_no_reviews: 'No reviews yet.',
  },
};

// English names of the catalog's categories; the slugs and Russian titles come from the API.
const CATEGORY_EN = {
  plumbing: 'Plumbing', electrical: 'Electrical', locksmith: 'Locksmith',
  appliance_repair: 'Appliance repair', computer_help: 'Computer help', moving: 'Movers',
  cargo: 'Cargo transport', towing: 'Towing and roadside help', cleaning: 'Cleaning',
  courier: 'Courier and delivery', handyman: 'Handyman', pet_care: 'Pet care',
  tutoring: 'Urgent consultation', other: 'Other',
};

let current = 'ru';

export function setLanguage(lang) {
  current = lang === 'en' ? 'en' : 'ru';
  document.documentElement.lang = current;
}
export const language = () => current;

export function t(key, params = {}) {
  const text = TEXTS[current][key] ?? TEXTS.ru[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

export function errorText(code) {
  const table = ERRORS[current];
  return table[code] ?? table.unknown;
}

export function categoryTitle(category) {
  if (current === 'en') return CATEGORY_EN[category.slug] ?? category.title;
  return category.title;
}

export function formatTime(iso) {
  return new Intl.DateTimeFormat(current, { hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' })
    .format(new Date(iso));
}
export function formatDate(iso) {
  return new Intl.DateTimeFormat(current, { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(iso));
}
