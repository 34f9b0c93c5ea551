// backcoach: small shared behaviour for every page. No network calls other than our own server.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Confirmation for dangerous forms (delete all data): <form data-confirm="...">
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
