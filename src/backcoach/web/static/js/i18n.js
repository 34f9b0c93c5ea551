// Translated messages for the browser scripts: window.BackcoachText.
//
// The page carries the messages of its language as JSON (<script id="backcoach-messages">,
// filled by the server from the "js" gettext domain); English pages carry none, as the
// English text is the message id. Mark text with _("...") so `pybabel extract` finds it:
//
//   const { _, format } = window.BackcoachText;
//   status.textContent = format(_("{count} of {total} reps"), { count: 3, total: 10 });
//
// window.BackcoachText.lang is the page's language (<html lang>), for speech and dates.
"use strict";

window.BackcoachText = (function () {
  const source = document.getElementById("backcoach-messages");
  let messages = {};
  try {
    messages = source ? JSON.parse(source.textContent || "{}") : {};
  } catch {
    messages = {};  // a page without valid messages still works, in English
  }
  const lang = document.documentElement.lang || "en";

  // The message in the page's language (itself when there is no translation).
  function _(message) {
    return Object.prototype.hasOwnProperty.call(messages, message) ? messages[message] : message;
  }

  // Fill {name} placeholders from values; a missing value leaves the placeholder as it is.
  function format(text, values) {
    return text.replace(/\{([a-z_][a-z0-9_]*)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
  }

  // A number as the page's language writes it (1,234.5 / 1.234,5).
  function number(value, digits) {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: digits || 0 }).format(value);
  }

  return Object.freeze({ _, format, number, lang });
})();
