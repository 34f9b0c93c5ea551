// Clinic dashboard: "Copy link" beside a new invite (the link stays selectable without script).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const { _ } = window.BackcoachText;
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch {
        document.execCommand("copy"); // plain http on a LAN has no clipboard API
      }
      button.textContent = _("Copied");
    });
  });
});
